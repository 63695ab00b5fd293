/**
 * The fields a condition or output template can name, and how each is read from an
 * event. Numbers are bigints (64-bit registers); a field an event lacks (`ret` on an
 * enter event) is undefined, and every comparison on it is false.
 */
import type { EventView } from '../args.js';

export type FieldKind = 'string' | 'number' | 'bool';
export type FieldValue = string | bigint | boolean | undefined;

export interface FieldDef {
  name: string;
  kind: FieldKind;
  desc: string;
  get(v: EventView): FieldValue;
  /** How `%field` prints it (default: the value as text). */
  show?(v: EventView): string | undefined;
  /** For the syscall-set analysis (needs.ts): what this field says about the call. */
  syscall?: 'name' | 'no' | 'fn' | 'unknown';
  /** For arg.* fields: the argument name (or index) it reads. */
  arg?: string | number;
}

const num = (n: number | undefined): bigint | undefined => (n === undefined ? undefined : BigInt(n));
const hexOf = (s: string | undefined): bigint | undefined => (s === undefined ? undefined : BigInt(s));

const STATIC: FieldDef[] = [
  { name: 'evt.dir', kind: 'string', desc: "'enter' or 'return'", get: (v) => v.ev.dir },
  { name: 'evt.num', kind: 'number', desc: 'event number (seq)', get: (v) => BigInt(v.ev.seq) },
  { name: 'evt.call', kind: 'number', desc: 'call number shared by an enter and its returns', get: (v) => BigInt(v.ev.call) },
  { name: 'evt.time', kind: 'string', desc: 'time of the stop, ISO 8601', get: (v) => new Date(v.ev.ts * 1000).toISOString() },
  { name: 'evt.line', kind: 'string', desc: 'the complete strace line (on the event that completes a call)', get: (v) => v.ev.line },
  { name: 'evt.late', kind: 'bool', desc: 'an enter event seen only at the call\'s exit', get: (v) => v.ev.late === true },
  { name: 'evt.pc', kind: 'number', desc: 'where the vCPU stopped', get: (v) => hexOf(v.ev.pc), show: (v) => v.ev.pc },
  { name: 'evt.type', kind: 'string', desc: 'same as syscall.name (Falco\'s name)', get: (v) => v.ev.name, syscall: 'name' },
  { name: 'syscall.name', kind: 'string', desc: "strace's name (openat; syscall_0x3e8 when unknown)", get: (v) => v.ev.name, syscall: 'name' },
  { name: 'syscall.no', kind: 'number', desc: 'syscall number', get: (v) => BigInt(v.ev.no), syscall: 'no' },
  { name: 'syscall.fn', kind: 'string', desc: "the prototype's function name (sys_openat, NtReadFile)", get: (v) => v.info?.fn, syscall: 'fn' },
  { name: 'syscall.unknown', kind: 'bool', desc: "the number is not in the profile's table", get: (v) => v.ev.unknown === true, syscall: 'unknown' },
  { name: 'ret', kind: 'number', desc: 'return value, signed (-errno on failure on Linux)', get: (v) => (v.ev.ret === undefined ? undefined : BigInt(v.ev.ret)) },
  { name: 'ret.text', kind: 'string', desc: "strace's rendering of the return (-1 ENOENT (No such file or directory))", get: (v) => v.ev.retText },
  { name: 'errno', kind: 'string', desc: 'errno name when the call failed (ENOENT)', get: (v) => v.ev.errno },
  { name: 'cpu', kind: 'number', desc: 'vCPU index', get: (v) => BigInt(v.ev.cpu) },
  { name: 'asid', kind: 'number', desc: 'address space (page-table base)', get: (v) => hexOf(v.ev.asid), show: (v) => v.ev.asid },
  { name: 'retaddr', kind: 'number', desc: 'user return site', get: (v) => hexOf(v.ev.retaddr), show: (v) => v.ev.retaddr },
  { name: 'sp', kind: 'number', desc: 'user stack pointer at the call', get: (v) => hexOf(v.ev.sp), show: (v) => v.ev.sp },
  { name: 'child', kind: 'bool', desc: "a fork-like call's return in the child", get: (v) => v.ev.child === true },
  { name: 'proc.pid', kind: 'number', desc: 'process id of the caller (needs --btf)', get: (v) => num(v.ev.pid) },
  { name: 'proc.ppid', kind: 'number', desc: "parent's process id (needs --btf)", get: (v) => num(v.ev.ppid) },
  { name: 'proc.name', kind: 'string', desc: 'command name of the caller, task_struct.comm (needs --btf)', get: (v) => v.ev.comm },
  { name: 'thread.tid', kind: 'number', desc: 'thread id of the caller (needs --btf)', get: (v) => num(v.ev.tid) },
  { name: 'profile', kind: 'string', desc: 'profile name (linux_x64)', get: (v) => v.ev.profile },
  { name: 'abi', kind: 'string', desc: 'system-call ABI of the entry point (x64)', get: (v) => v.ev.abi },
];

const BY_NAME = new Map(STATIC.map((f) => [f.name, f]));

/** Names of the fixed fields, for error messages and docs. */
export const STATIC_FIELDS: readonly FieldDef[] = STATIC;

/** The argument field patterns, listed after the fixed fields in error messages. */
const ARG_PATTERNS = ['arg.<name>', 'arg.<name>.raw', 'arg.<name>.text', 'arg.<index>'];

function argField(name: string, key: string | number, part: 'value' | 'raw' | 'text'): FieldDef {
  const find = (v: EventView) => (typeof key === 'number' ? v.args[key] : v.named[key]);
  if (part === 'raw') {
    return { name, kind: 'number', desc: 'argument register', arg: key, get: (v) => find(v)?.raw, show: (v) => showRaw(find(v)) };
  }
  if (part === 'text') return { name, kind: 'string', desc: "argument as strace prints it", arg: key, get: (v) => find(v)?.text };
  return {
    name,
    kind: 'string',
    desc: 'argument: the string for string arguments, else its strace text',
    arg: key,
    get: (v) => {
      const a = find(v);
      if (!a) return undefined;
      return typeof a.value === 'string' ? a.value : (a.text ?? a.raw.toString());
    },
  };
}

function showRaw(a: { raw: bigint; type: string } | undefined): string | undefined {
  if (!a) return undefined;
  return a.raw < 0n ? a.raw.toString() : '0x' + a.raw.toString(16);
}

/** Field names a condition can use for the parser's messages: the fixed ones, arg.* and proc.*. */
export function looksLikeField(name: string): boolean {
  return BY_NAME.has(name) || /^(arg|proc|fd|thread|user|container)\./.test(name);
}

/**
 * The field `name`, or an error message listing what is known. `argNames` are the argument
 * names of the profile's prototypes, so `arg.filname` is caught before the guest runs.
 */
export function resolveField(name: string, argNames: ReadonlySet<string>): FieldDef | string {
  const f = BY_NAME.get(name);
  if (f) return f;
  const m = /^arg\.([A-Za-z_]\w*|\d+)(?:\.(raw|text))?$/.exec(name);
  if (m) {
    const key = /^\d+$/.test(m[1]!) ? Number(m[1]) : m[1]!;
    if (typeof key === 'string' && !argNames.has(key)) {
      const near = closest(key, argNames);
      return `no syscall of this profile has an argument named '${key}'${near ? ` (did you mean arg.${near}?)` : ''}`;
    }
    return argField(name, key, (m[2] as 'raw' | 'text' | undefined) ?? 'value');
  }
  if (/^(proc|thread|user|container)\./.test(name)) {
    return `${name} is not available: the process fields are proc.pid, proc.ppid, proc.name and thread.tid (with --btf); known fields: ${knownList()}`;
  }
  if (name.startsWith('fd.')) return `fd.* fields are not available: name the argument instead (arg.filename, arg.fd); known fields: ${knownList()}`;
  const near = closest(name, [...BY_NAME.keys()]);
  return `unknown field '${name}'${near ? ` (did you mean ${near}?)` : ''}; known fields: ${knownList()}`;
}

function knownList(): string {
  return [...BY_NAME.keys(), ...ARG_PATTERNS].join(', ');
}

/** The candidate nearest to `word` (a transposition counts one edit), if near enough to be a typo. */
export function closest(word: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestD = Math.min(Math.max(1, Math.floor(word.length / 3)), word.length - 1) + 1;
  for (const c of candidates) {
    const d = distance(word, c);
    if (d < bestD) {
      bestD = d;
      best = c;
    }
  }
  return best;
}

/** Optimal string alignment distance (Levenshtein plus adjacent transpositions). */
function distance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
    }
  }
  return d[a.length]![b.length]!;
}
