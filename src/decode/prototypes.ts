/**
 * Prototype tables (`prototypes/<profile>.txt`): one system call per line in PANDA's format
 * `<no> <ret> <name>(<args>);`, `//` comments and blank lines ignored. Checked at load:
 * every line parses, no number twice; errors name `file:line` and what was expected.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { UserError, at } from '../util/errors.js';
import { dataDir } from '../util/paths.js';

export interface ArgInfo {
  /** The C type as written, e.g. `const char __user *`. */
  type: string;
  name: string;
  /** True for pointers. */
  pointer: boolean;
  /** True for signed integer types. */
  signed: boolean;
  /** Size in bytes of the value as passed (pointer-sized for pointers and longs). */
  size: number;
}

export interface SyscallInfo {
  no: number;
  /** The name strace prints (`openat`). */
  name: string;
  /** The prototype's function name, as PANDA names callbacks (`sys_openat`). */
  fn: string;
  ret: string;
  args: ArgInfo[];
  nargs: number;
  noreturn: boolean;
  /** The table it comes from (`linux_arm64` for prototypes/linux_arm64.txt): decoders pick layouts and constants by it. */
  abi?: string;
}

export interface SyscallMeta {
  /** Highest syscall number in the table. */
  max: number;
  /** Highest number below the architecture-private range (ARM 0xf0000+), as PANDA's max_generic. */
  maxGeneric: number;
  maxArgs: number;
}

const LINE = /^(\d+) (.+?) (\w+) ?\((.*)\);\s*$/;
/**
 * Longest line accepted (the longest real one, Windows' NtAccessCheckByTypeResultListAndAuditAlarmByHandle,
 * is 520): the line and argument patterns backtrack quadratically, so a longer line could stall the load.
 */
const MAX_LINE = 1024;
const NORETURN = new Set(['exit', 'exit_group']);

function splitArgs(list: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of list) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      out.push(cur.trim());
      cur = '';
    } else cur += ch;
  }
  if (cur.trim()) out.push(cur.trim());
  return out;
}

const UNSIGNED = /\b(unsigned|size_t|umode_t|u32|u64|__u32|__u64|uid_t|gid_t|qid_t|key_serial_t|aio_context_t|old_uid_t|old_gid_t|cap_user_header_t|rwf_t|ULONG|DWORD|ACCESS_MASK|HANDLE|BOOLEAN|USHORT|UCHAR)\b/;

const TYPE_WORDS = /^(int|long|short|char|unsigned|signed|void|size_t|ssize_t|loff_t|off_t|pid_t|uid_t|gid_t|umode_t|u32|u64|__u32|__u64|[A-Z][A-Z0-9_]*)$/;

function parseArg(text: string, wordSize: number, index: number): ArgInfo | string {
  // An unnamed argument (`int`, `char __user *`) gets the name argN, as PANDA's tables allow.
  const words = text.split(/\s+/);
  const last = words[words.length - 1] ?? '';
  if (/\*\s*$/.test(text) || (words.length === 1 && last !== '') || TYPE_WORDS.test(last) || /_t$/.test(last)) text = `${text} arg${index}`;
  const m = /^(.*?)([A-Za-z_]\w*)\s*((?:\[\s*\d*\s*\])*)$/.exec(text);
  if (!m || m[1]!.trim() === '') return `expected '<type> <name>' in argument '${text}'`;
  const type = (m[1]!.trim() + (m[3] ? ' *' : '')).replace(/\s+/g, ' ').replace(/\s*\*\s*/g, ' *').trim();
  const pointer = type.includes('*') || /^P[A-Z]/.test(type) || /\bPVOID\b/.test(type);
  const is64 = /\b(u64|__u64|loff_t|s64|__s64|long long|LARGE_INTEGER)\b/.test(type);
  const is32 = /\b(int|u32|__u32|s32|umode_t|pid_t|uid_t|gid_t|mode_t|key_t|timer_t|clockid_t|qid_t|rwf_t|ULONG|DWORD|ACCESS_MASK)\b/.test(type) && !/\blong\b/.test(type);
  const size = pointer ? wordSize : is64 ? 8 : is32 ? 4 : wordSize;
  return { type, name: m[2]!, pointer, signed: !pointer && !UNSIGNED.test(type), size };
}

/** Short name: `sys_openat` -> `openat`, `NtReadFile` stays. */
export function shortName(fn: string, renames: Record<string, string> = {}): string {
  // Own keys only: `constructor`, `toString`... are functions on every object's prototype.
  if (Object.hasOwn(renames, fn) && renames[fn]) return renames[fn]!;
  return fn.replace(/^(__(x64|ia32|arm64)_)?(compat_)?sys_/, '') || fn; // a bare `sys_` keeps its name
}

export class SyscallTable {
  private readonly byNo = new Map<number, SyscallInfo>();
  private readonly byName = new Map<string, SyscallInfo>();

  constructor(readonly file: string) {}

  add(info: SyscallInfo): void {
    this.byNo.set(info.no, info);
    if (!this.byName.has(info.name)) this.byName.set(info.name, info);
  }

  /** PANDA's get_syscall_info(no). */
  getSyscallInfo(no: number): SyscallInfo | undefined {
    return this.byNo.get(no);
  }

  byShortName(name: string): SyscallInfo | undefined {
    return this.byName.get(name);
  }

  all(): SyscallInfo[] {
    return [...this.byNo.values()].sort((a, b) => a.no - b.no);
  }

  /** PANDA's get_syscall_meta(). */
  getSyscallMeta(): SyscallMeta {
    let max = 0;
    let maxGeneric = 0;
    let maxArgs = 0;
    for (const s of this.byNo.values()) {
      max = Math.max(max, s.no);
      if (s.no < 0xf0000) maxGeneric = Math.max(maxGeneric, s.no);
      maxArgs = Math.max(maxArgs, s.nargs);
    }
    return { max, maxGeneric, maxArgs };
  }
}

export function parsePrototypes(text: string, file: string, wordSize: 4 | 8, renames: Record<string, string> = {}): SyscallTable {
  const table = new SyscallTable(file);
  const abi = file.replace(/^.*\//, '').replace(/\.txt$/, '');
  const seen = new Map<number, number>();
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '' || line.startsWith('//') || line.startsWith('#')) continue;
    const fail = (what: string): never => {
      throw new UserError('CONFIG_INVALID', `${at(file, i + 1)}: ${what}`);
    };
    if (line.length > MAX_LINE) fail(`line longer than ${MAX_LINE} characters`);
    const m = LINE.exec(line);
    if (!m) fail(`expected '<number> <return type> <name>(<args>);', got '${line.slice(0, 60)}'`);
    const no = Number(m![1]);
    if (seen.has(no)) fail(`syscall number ${no} already defined on line ${seen.get(no)}`);
    seen.set(no, i + 1);
    const argText = m![4]!.trim();
    const args: ArgInfo[] = [];
    if (argText !== '' && argText !== 'void') {
      for (const a of splitArgs(argText)) {
        const parsed = parseArg(a, wordSize, args.length);
        if (typeof parsed === 'string') fail(parsed);
        args.push(parsed as ArgInfo);
      }
    }
    const fn = m![3]!;
    const name = shortName(fn, renames);
    table.add({ no, name, fn, ret: m![2]!, args, nargs: args.length, noreturn: NORETURN.has(name), abi });
  }
  return table;
}

export function loadPrototypes(fileName: string, wordSize: 4 | 8, renames: Record<string, string> = {}): SyscallTable {
  const file = fileName.includes('/') ? fileName : join(dataDir(), 'prototypes', fileName);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new UserError('FILE_NOT_FOUND', `cannot read prototype table ${file}`);
  }
  return parsePrototypes(text, file, wordSize, renames);
}
