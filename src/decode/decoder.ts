/**
 * Argument and return decoding in strace's notation. What each argument is comes from the
 * prototype (type and name) and, for the calls strace decodes specially, from the small
 * spec table below: one line per call naming each argument's kind, as strace's decoders
 * are ten lines naming each argument. Decoding never throws: memory that cannot be read
 * prints the raw pointer.
 */
import type { ArgInfo, SyscallInfo } from './prototypes.js';
import type { GuestMemory } from './memory.js';
import { formatEnum, formatFlags, hex, octal, pointer, quoteLimited, signed, unsigned } from './format.js';
import {
  ACCESS_MODES, AT_FDCWD, AT_FLAGS, CLONE_FLAGS, MAP_FLAGS, MAP_TYPES, OPEN_FLAGS, O_ACCMODE, O_ACCMODE_NAMES,
  O_CREAT, O_TMPFILE, PROT_FLAGS, SEEK_WHENCE, SIGNALS, WAIT_OPTIONS,
} from './tables/linux-flags.js';
import { ERRNO } from './tables/errno.js';

export type ArgKind =
  | 'int' | 'uint' | 'hex' | 'ptr' | 'fd' | 'dirfd' | 'path' | 'str'
  | 'inbuf' // bytes in, length in the argument named by `len`
  | 'outbuf' // bytes out, as many as the call returned
  | 'open_flags' | 'open_mode' | 'mode' | 'at_flags' | 'wait_options' | 'wait_status' | 'pipefds'
  | 'timespec' | 'strarray' | 'envp' | 'prot' | 'mmap_flags' | 'clone_flags' | 'access_mode'
  | 'whence' | 'signal';

/** Kinds decoded at return (out-parameters). */
const AT_EXIT = new Set<ArgKind>(['outbuf', 'wait_status', 'pipefds']);

/** Per-call argument kinds where the prototype alone does not say enough. */
const SPECS: Record<string, ArgKind[]> = {
  read: ['fd', 'outbuf', 'uint'],
  pread64: ['fd', 'outbuf', 'uint', 'int'],
  write: ['fd', 'inbuf', 'uint'],
  pwrite64: ['fd', 'inbuf', 'uint', 'int'],
  open: ['path', 'open_flags', 'open_mode'],
  openat: ['dirfd', 'path', 'open_flags', 'open_mode'],
  creat: ['path', 'mode'],
  close: ['fd'],
  wait4: ['int', 'wait_status', 'wait_options', 'ptr'],
  pipe: ['pipefds'],
  pipe2: ['pipefds', 'open_flags'],
  nanosleep: ['timespec', 'ptr'],
  execve: ['path', 'strarray', 'envp'],
  execveat: ['dirfd', 'path', 'strarray', 'envp', 'at_flags'],
  mmap: ['ptr', 'uint', 'prot', 'mmap_flags', 'fd', 'uint'],
  mprotect: ['ptr', 'uint', 'prot'],
  munmap: ['ptr', 'uint'],
  brk: ['ptr'],
  clone: ['clone_flags', 'ptr', 'ptr', 'ptr', 'hex'],
  access: ['path', 'access_mode'],
  faccessat: ['dirfd', 'path', 'access_mode'],
  faccessat2: ['dirfd', 'path', 'access_mode', 'at_flags'],
  lseek: ['fd', 'int', 'whence'],
  kill: ['int', 'signal'],
  tkill: ['int', 'signal'],
  tgkill: ['int', 'int', 'signal'],
  readlink: ['path', 'outbuf', 'uint'],
  readlinkat: ['dirfd', 'path', 'outbuf', 'uint'],
  newfstatat: ['dirfd', 'path', 'ptr', 'at_flags'],
  unlinkat: ['dirfd', 'path', 'at_flags'],
  mkdirat: ['dirfd', 'path', 'mode'],
  chdir: ['path'],
  mkdir: ['path', 'mode'],
  unlink: ['path'],
  rmdir: ['path'],
  exit: ['int'],
  exit_group: ['int'],
  dup: ['fd'],
  dup2: ['fd', 'fd'],
  dup3: ['fd', 'fd', 'open_flags'],
};

/** Calls whose return value is an address (strace prints it in hex). */
const HEX_RETURN = new Set(['brk', 'mmap', 'mmap2', 'mremap', 'shmat']);

export interface DecodedArg {
  name: string;
  type: string;
  raw: bigint;
  kind: ArgKind;
  /** The text strace would print, once decoded (at entry or, for out-parameters, at return). */
  text?: string;
  /** True when the argument is left out of the text (openat's mode without O_CREAT). */
  omitted?: boolean;
  /**
   * True when memory it points to could not be read at entry: a page the program has not
   * touched yet is not mapped, and the kernel will have faulted it in by the return.
   */
  retry?: boolean;
}

/** Kinds that read through a pointer at entry. */
const READS_MEMORY = new Set<ArgKind>(['path', 'str', 'inbuf', 'timespec', 'strarray', 'envp']);

export interface DecodeOptions {
  /** strace -s: longest string shown. */
  strsize: number;
}

function defaultKind(arg: ArgInfo): ArgKind {
  if (arg.pointer) {
    if (/char __user \*$/.test(arg.type) && /^const /.test(arg.type)) {
      return /(name|path|file|dir)/i.test(arg.name) ? 'path' : 'str';
    }
    return 'ptr';
  }
  if (/^(fd|oldfd|newfd|fd_in|fd_out)$/.test(arg.name)) return 'fd';
  if (/^(dfd|olddfd|newdfd|dirfd)$/.test(arg.name)) return 'dirfd';
  if (/\bumode_t\b/.test(arg.type)) return 'mode';
  return arg.signed ? 'int' : 'uint';
}

/** The argument descriptions of a call, unknown calls getting six hex arguments. */
export function argsOf(info: SyscallInfo | undefined, raw: bigint[]): DecodedArg[] {
  if (!info) return raw.map((r, i) => ({ name: `arg${i}`, type: 'unsigned long', raw: r, kind: 'hex' as ArgKind }));
  const spec = SPECS[info.name];
  return info.args.map((a, i) => ({ name: a.name, type: a.type, raw: raw[i] ?? 0n, kind: spec?.[i] ?? defaultKind(a) }));
}

/** The name printed for a call: strace's `syscall_0x3e8` for an unknown number. */
export function callName(info: SyscallInfo | undefined, no: number): string {
  return info ? info.name : `syscall_${hex(BigInt(no))}`;
}

function argSize(info: SyscallInfo | undefined, i: number): number {
  return info?.args[i]?.size ?? 8;
}

async function readPath(mem: GuestMemory, addr: bigint, max: number): Promise<string> {
  if (addr === 0n) return 'NULL';
  const s = await mem.readString(addr, max);
  if (!s) return hex(addr);
  return quoteLimited(s.bytes, max, !s.terminated);
}

async function readStrArray(mem: GuestMemory, addr: bigint, word: number, opts: DecodeOptions, countOnly: boolean): Promise<string> {
  if (addr === 0n) return 'NULL';
  const items: string[] = [];
  const maxItems = countOnly ? 4096 : 32;
  let more = false;
  for (let i = 0; i <= maxItems; i++) {
    const p = await mem.read(addr + BigInt(i * word), word);
    if (!p || p.length < word) return i === 0 ? hex(addr) : `[${items.join(', ')}, ...]`;
    const ptr = word === 8 ? p.readBigUInt64LE(0) : BigInt(p.readUInt32LE(0));
    if (ptr === 0n) break;
    if (i === maxItems) {
      more = true;
      break;
    }
    items.push(countOnly ? '' : await readPath(mem, ptr, opts.strsize));
  }
  if (countOnly) return `${hex(addr)} /* ${items.length}${more ? '+' : ''} var${items.length === 1 ? '' : 's'} */`;
  return `[${items.join(', ')}${more ? ', ...' : ''}]`;
}

/** Decodes one argument; `ret` is set for out-parameters at return. */
async function decodeArg(a: DecodedArg, all: DecodedArg[], info: SyscallInfo | undefined, i: number, mem: GuestMemory, opts: DecodeOptions, ret?: bigint): Promise<string> {
  const size = argSize(info, i);
  const v = a.raw;
  switch (a.kind) {
    case 'int':
      return signed(v, size).toString();
    case 'uint':
      return unsigned(v, size).toString();
    case 'hex':
      return hex(unsigned(v, size));
    case 'ptr':
      return pointer(v);
    case 'fd':
      return signed(v, 4).toString();
    case 'dirfd':
      return signed(v, 4) === AT_FDCWD ? 'AT_FDCWD' : signed(v, 4).toString();
    case 'path':
      return readPath(mem, v, 4096);
    case 'str':
      return readPath(mem, v, opts.strsize);
    case 'inbuf': {
      if (v === 0n) return 'NULL';
      const lenArg = all[i + 1];
      const len = lenArg ? Number(unsigned(lenArg.raw, 4)) : 0;
      const b = await mem.read(v, Math.min(len, opts.strsize + 1));
      return b ? quoteLimited(b, opts.strsize, len > opts.strsize) : hex(v);
    }
    case 'outbuf': {
      if (ret === undefined || ret < 0n) return pointer(v);
      const len = Number(ret > 1n << 31n ? 0n : ret);
      const b = await mem.read(v, Math.min(len, opts.strsize + 1));
      return b ? quoteLimited(b.subarray(0, len), opts.strsize, len > opts.strsize) : hex(v);
    }
    case 'open_flags': {
      const acc = O_ACCMODE_NAMES[Number(v & O_ACCMODE)]!;
      const rest = formatFlags(unsigned(v, 4) & ~O_ACCMODE, OPEN_FLAGS);
      return a.name === 'flags' && info && /open/.test(info.name) ? (rest === '0' ? acc : `${acc}|${rest}`) : rest;
    }
    case 'open_mode':
    case 'mode':
      return octal(unsigned(v, 4));
    case 'at_flags':
      return formatFlags(unsigned(v, 4), AT_FLAGS);
    case 'wait_options':
      return formatFlags(unsigned(v, 4), WAIT_OPTIONS);
    case 'prot':
      return formatFlags(unsigned(v, 4), PROT_FLAGS);
    case 'mmap_flags': {
      const f = unsigned(v, 4);
      const type = formatEnum(f & 0xfn, MAP_TYPES, 'MAP_');
      const rest = formatFlags(f & ~0xfn, MAP_FLAGS);
      return rest === '0' ? type : `${type}|${rest}`;
    }
    case 'clone_flags': {
      const f = unsigned(v, 8);
      const sig = Number(f & 0xffn);
      const flags = formatFlags(f & ~0xffn, CLONE_FLAGS);
      const sigName = sig === 0 ? '' : SIGNALS.get(sig) ?? String(sig);
      return [flags === '0' ? '' : flags, sigName].filter(Boolean).join('|') || '0';
    }
    case 'access_mode':
      return formatFlags(unsigned(v, 4), ACCESS_MODES);
    case 'whence':
      return formatEnum(unsigned(v, 4), SEEK_WHENCE, 'SEEK_');
    case 'signal': {
      const s = Number(unsigned(v, 4));
      return s === 0 ? '0' : SIGNALS.get(s) ?? String(s);
    }
    case 'wait_status': {
      if (v === 0n) return 'NULL';
      if (ret === undefined || ret <= 0n) return hex(v);
      const b = await mem.read(v, 4);
      return b && b.length === 4 ? `[${waitStatus(b.readInt32LE(0))}]` : hex(v);
    }
    case 'pipefds': {
      if (ret === undefined || ret !== 0n) return pointer(v);
      const b = await mem.read(v, 8);
      return b && b.length === 8 ? `[${b.readInt32LE(0)}, ${b.readInt32LE(4)}]` : hex(v);
    }
    case 'timespec': {
      if (v === 0n) return 'NULL';
      const b = await mem.read(v, 16);
      return b && b.length === 16 ? `{tv_sec=${b.readBigInt64LE(0)}, tv_nsec=${b.readBigInt64LE(8)}}` : hex(v);
    }
    case 'strarray':
      return readStrArray(mem, v, 8, opts, false);
    case 'envp':
      return readStrArray(mem, v, 8, opts, true);
  }
}

/**
 * A signal set as strace prints it (strace src/signal.c sprintsigmask_n): `[CHLD USR1]`,
 * the complement `~[...]` when more than half the signals are set, realtime ones as `RT_n`.
 */
export function sigset(mask: bigint, nsig = 64): string {
  const name = (n: number): string => (n < 32 ? (SIGNALS.get(n)?.slice(3) ?? String(n)) : n === 32 ? 'RTMIN' : `RT_${n - 32}`);
  const set: number[] = [];
  for (let n = 1; n <= nsig; n++) if ((mask >> BigInt(n - 1)) & 1n) set.push(n);
  if (set.length * 2 > nsig) {
    const clear: number[] = [];
    for (let n = 1; n <= nsig; n++) if (!set.includes(n)) clear.push(n);
    return `~[${clear.map(name).join(' ')}]`;
  }
  return `[${set.map(name).join(' ')}]`;
}

/** strace's wait status notation (strace src/wait.c printstatus). */
export function waitStatus(s: number): string {
  const sig = s & 0x7f;
  if (sig === 0) return `{WIFEXITED(s) && WEXITSTATUS(s) == ${(s >> 8) & 0xff}}`;
  if (sig === 0x7f) return `{WIFSTOPPED(s) && WSTOPSIG(s) == ${SIGNALS.get((s >> 8) & 0xff) ?? (s >> 8) & 0xff}}`;
  const core = s & 0x80 ? ' && WCOREDUMP(s)' : '';
  return `{WIFSIGNALED(s) && WTERMSIG(s) == ${SIGNALS.get(sig) ?? sig}${core}}`;
}

/** Decodes the arguments known at entry; out-parameters stay for `decodeReturn`. */
export async function decodeEnter(info: SyscallInfo | undefined, args: DecodedArg[], mem: GuestMemory, opts: DecodeOptions): Promise<void> {
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (AT_EXIT.has(a.kind)) continue;
    if (a.kind === 'open_mode') {
      const flags = args[i - 1]?.raw ?? 0n;
      if ((flags & O_CREAT) === 0n && (flags & O_TMPFILE) !== O_TMPFILE) {
        a.omitted = true;
        continue;
      }
    }
    try {
      a.text = await decodeArg(a, args, info, i, mem, opts);
    } catch {
      a.text = hex(a.raw); // never let one argument stop the trace
    }
    if (READS_MEMORY.has(a.kind) && a.raw !== 0n && a.text === hex(a.raw)) a.retry = true;
  }
}

/** Decodes the out-parameters once the return value is known. */
export async function decodeReturn(info: SyscallInfo | undefined, args: DecodedArg[], ret: bigint, mem: GuestMemory, opts: DecodeOptions): Promise<void> {
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (!AT_EXIT.has(a.kind) && !a.retry) continue;
    try {
      a.text = await decodeArg(a, args, info, i, mem, opts, BigInt.asIntN(64, ret));
      if (a.text !== hex(a.raw)) a.retry = false;
    } catch {
      a.text = hex(a.raw);
    }
  }
}

/** Index of the first argument printed only at return, or args.length. */
export function firstExitArg(args: DecodedArg[]): number {
  const i = args.findIndex((a) => AT_EXIT.has(a.kind));
  return i < 0 ? args.length : i;
}

/** The errno of a raw return value, or undefined when it is not an error. */
export function errnoOf(ret: bigint, errnoMax: number): number | undefined {
  const s = BigInt.asIntN(64, ret);
  return s < 0n && s >= -BigInt(errnoMax) ? Number(-s) : undefined;
}

/** `= 3`, `= -1 ENOENT (No such file or directory)`, `= 0x55d4c000`, `= ?`. */
export function formatReturn(name: string, ret: bigint | undefined, errnoMax: number, retSize = 8): string {
  if (ret === undefined) return '?';
  const e = errnoOf(BigInt.asIntN(retSize * 8, ret), errnoMax);
  if (e !== undefined) {
    const info = ERRNO.get(e);
    if (info && e >= 512) return `? ${info[0]} (${info[1]})`;
    return info ? `-1 ${info[0]} (${info[1]})` : `-1 errno ${e}`;
  }
  if (HEX_RETURN.has(name)) return hex(BigInt.asUintN(retSize * 8, ret));
  return BigInt.asIntN(retSize * 8, ret).toString();
}

/** Argument texts joined as strace prints them, omitted ones left out. */
export function joinArgs(args: DecodedArg[], from = 0, to = args.length): string {
  return args
    .slice(from, to)
    .filter((a) => !a.omitted)
    .map((a) => a.text ?? hex(a.raw))
    .join(', ');
}
