/**
 * Argument and return decoding in strace's notation. What each argument is comes from the
 * per-call table (specs.ts) or, for calls not in it, from the prototype (type and name);
 * each kind's printer is in kinds.ts. Decoding never throws: memory that cannot be read
 * prints the raw pointer.
 */
import type { ArgInfo, SyscallInfo } from './prototypes.js';
import type { GuestMemory } from './memory.js';
import type { ArgCtx, DecodeStyle } from './context.js';
import type { XlatStyle } from './format.js';
import { hex, signed } from './format.js';
import { KINDS, type KindDef } from './kinds.js';
import { RETURNS } from './kinds-calls.js';
import { HEX_RETURN, SPECS, specName } from './specs.js';
import { ERRNO } from './tables/errno.js';
import { mipsErrno } from './tables/errno-mips.js';
import { logicalArgs, registerValues, type PairAbi } from './registers.js';
import { NT_KINDS, ntKindOf } from './nt.js';

export { sigset } from './structs.js';
export { waitStatus } from './helpers.js';
export type { DecodeStyle } from './context.js';
export type { PairAbi } from './registers.js';

/** A kind name from kinds.ts (`path`, `open_flags`, `stat_out`...). */
export type ArgKind = string;

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
  /** For in/out arguments: the text at entry, which the return's text builds on. */
  entryText?: string;
  /** Size in bytes of the value (4 for an int; 8 for a 64-bit value even on 32-bit ABIs). */
  size?: number;
}

export interface DecodeOptions {
  /** strace -s: longest string shown. */
  strsize: number;
  /** strace -X; the process default (setDecodeDefaults) when absent. */
  xlat?: XlatStyle;
  /** strace -v; the process default when absent. */
  verbose?: boolean;
}

let defaults: { xlat: XlatStyle; verbose: boolean } = { xlat: 'abbrev', verbose: false };

/**
 * The -X and -v style for callers that pass only `strsize` (the trace session): set once by
 * the command line before tracing.
 */
export function setDecodeDefaults(d: { xlat?: XlatStyle; verbose?: boolean }): void {
  defaults = { xlat: d.xlat ?? defaults.xlat, verbose: d.verbose ?? defaults.verbose };
}

function styleOf(o: DecodeOptions): DecodeStyle {
  return { strsize: o.strsize, xlat: o.xlat ?? defaults.xlat, verbose: o.verbose ?? defaults.verbose };
}

const HEX: KindDef = KINDS.hex!;
function kindOf(a: DecodedArg): KindDef {
  return KINDS[a.kind] ?? NT_KINDS[a.kind] ?? HEX;
}

const PATH_NAMES = /^(filename|pathname|path|name|oldname|newname|old|new|dir_name|dev_name|library|specialfile|target|linkpath|oldpath|newpath)$/;

function defaultKind(arg: ArgInfo): ArgKind {
  if (arg.pointer) {
    if (/char __user \*$/.test(arg.type) && /^const /.test(arg.type)) return PATH_NAMES.test(arg.name) || /(path|file|dir)/i.test(arg.name) ? 'path' : 'str';
    return 'ptr';
  }
  if (/^(fd|oldfd|newfd|fd_in|fd_out|epfd)$/.test(arg.name)) return 'fd';
  if (/^(dfd|olddfd|newdfd|dirfd)$/.test(arg.name)) return 'dirfd';
  if (/\bumode_t\b/.test(arg.type)) return 'mode';
  return arg.signed ? 'int' : 'uint';
}

/** The argument descriptions of a call, unknown calls getting six hex arguments. */
export function argsOf(info: SyscallInfo | undefined, raw: bigint[], abi?: PairAbi): DecodedArg[] {
  if (!info) return raw.map((r, i) => ({ name: `arg${i}`, type: 'unsigned long', raw: r, kind: 'hex' }));
  const spec = SPECS[specName(info.name)];
  // The arguments strace prints: 64-bit values of 32-bit ABIs whole (registers.ts).
  const logical = logicalArgs(info, registerValues(info, raw, abi));
  return logical.map((a, i) => ({ name: a.name, type: a.type, raw: a.raw, size: a.size, kind: spec?.[i] ?? ntKindOf(info, a.proto) ?? defaultKind(a.proto) }));
}

/** The name printed for a call: strace's `syscall_0x3e8` for an unknown number. */
export function callName(info: SyscallInfo | undefined, no: number): string {
  return info ? info.name : `syscall_${hex(BigInt(no))}`;
}

/**
 * Bytes of guest memory one decoding pass (the entry, or the return) may read: a PATH_MAX
 * path, an envp of 4096 pointers and 32 strings of -s bytes fit. A hostile guest's lengths
 * (a count of 2^63, a return of 2^32) and arrays of -s endless strings stop there, and what
 * is left unread prints as its address (issue 8: no unbounded reads).
 */
export function readBudget(strsize: number): number {
  return 64 * 1024 + 32 * (Math.max(0, strsize) + 1);
}

/** Memory whose reads are cut to whole, non-negative lengths and to what is left of `budget` bytes read. */
function budgeted(mem: GuestMemory, budget: number): GuestMemory {
  let left = budget;
  const clamp = (len: number): number => Math.max(0, Math.min(Number.isFinite(len) ? Math.floor(len) : len > 0 ? left : 0, left));
  return {
    read: async (addr, len) => {
      const n = clamp(len);
      if (n === 0 && len > 0) return null; // the budget is spent: as if unreadable
      const b = await mem.read(addr, n);
      if (b) left -= Math.min(b.length, left);
      return b;
    },
    readString: async (addr, max) => {
      const n = clamp(max);
      if (n === 0 && max > 0) return null;
      const s = await mem.readString(addr, n);
      if (s) left -= Math.min(s.bytes.length + (s.terminated ? 1 : 0), left);
      return s;
    },
  };
}

/** Memory that notes whether any read failed (a page not faulted in yet, to retry at return). */
function tracking(mem: GuestMemory, track: { missed: boolean }): GuestMemory {
  return {
    read: async (addr, len) => {
      const b = await mem.read(addr, len);
      if (!b && addr !== 0n) track.missed = true;
      return b;
    },
    readString: async (addr, max) => {
      const s = await mem.readString(addr, max);
      if (!s && addr !== 0n) track.missed = true;
      return s;
    },
  };
}

function ctxOf(info: SyscallInfo | undefined, args: DecodedArg[], i: number, mem: GuestMemory, style: DecodeStyle, ret: bigint | undefined, track = { missed: false }): ArgCtx {
  const a = args[i]!;
  return {
    v: a.raw,
    i,
    size: a.size ?? info?.args[i]?.size ?? 8,
    raw: (j) => args[j]?.raw ?? 0n,
    info,
    mem: tracking(mem, track),
    style,
    ret,
    failed: ret !== undefined && errnoOf(ret, 4095) !== undefined,
    entry: a.entryText,
  };
}

async function print(k: KindDef, c: ArgCtx): Promise<string | null> {
  try {
    return await k.print(c);
  } catch {
    return hex(c.v); // never let one argument stop the trace
  }
}

/** Decodes the arguments known at entry; out-parameters stay for `decodeReturn`. */
export async function decodeEnter(info: SyscallInfo | undefined, args: DecodedArg[], mem: GuestMemory, opts: DecodeOptions): Promise<void> {
  const style = styleOf(opts);
  mem = budgeted(mem, readBudget(opts.strsize));
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const k = kindOf(a);
    if (k.at === 'exit') continue;
    const track = { missed: false };
    const text = await print(k, ctxOf(info, args, i, mem, style, undefined, track));
    if (text === null) {
      a.omitted = true;
      continue;
    }
    a.text = text;
    if (k.at === 'both') a.entryText = text;
    if (k.reads && track.missed) a.retry = true;
  }
}

/** Return decorations computed by decodeReturn, for formatReturn. */
const decorations = new WeakMap<DecodedArg[], string>();
let lastDecoration: { args: DecodedArg[]; name: string; ret: bigint } | undefined;

/** Decodes the out-parameters (and in/out ones again) once the return value is known. */
export async function decodeReturn(info: SyscallInfo | undefined, args: DecodedArg[], ret: bigint, mem: GuestMemory, opts: DecodeOptions): Promise<void> {
  const style = styleOf(opts);
  mem = budgeted(mem, readBudget(opts.strsize));
  const sret = BigInt.asIntN(64, ret);
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const k = kindOf(a);
    if (k.at === 'entry' && !a.retry) continue;
    if (a.omitted && k.at === 'entry') continue;
    const track = { missed: false };
    // An entry argument retried is printed as at entry (no return value), only later.
    const text = await print(k, ctxOf(info, args, i, mem, style, k.at === 'entry' ? undefined : sret, track));
    if (text === null) {
      a.omitted = true;
      continue;
    }
    if (k.at !== 'entry' || !track.missed || a.text === undefined) a.text = text;
    if (!track.missed) a.retry = false;
  }
  lastDecoration = undefined;
  const r = info ? RETURNS[specName(info.name)] : undefined;
  if (r && errnoOf(sret, 4095) === undefined) {
    try {
      const d = await r({ ret: sret, raw: (j) => args[j]?.raw ?? 0n, c: { ...ctxOf(info, args, 0, mem, style, sret) } });
      if (d !== undefined) {
        decorations.set(args, d);
        lastDecoration = { args, name: info!.name, ret: sret };
      }
    } catch {
      /* the plain return value will do */
    }
  }
}

/** Index of the first argument printed only at return, or args.length. */
export function firstExitArg(args: DecodedArg[]): number {
  const i = args.findIndex((a) => kindOf(a).at === 'exit');
  return i < 0 ? args.length : i;
}

/** The errno of a raw return value, or undefined when it is not an error. */
export function errnoOf(ret: bigint, errnoMax: number): number | undefined {
  const s = BigInt.asIntN(64, ret);
  return s < 0n && s >= -BigInt(errnoMax) ? Number(-s) : undefined;
}

/**
 * `= 3`, `= -1 ENOENT (No such file or directory)`, `= 0x55d4c000`, `= ?`, and strace's
 * decorated returns (`0x8000 (flags O_RDONLY|O_LARGEFILE)`, `2 ([{fd=3, revents=POLLIN}])`)
 * for the call decodeReturn decoded: `args` names it; without `args`, the call decoded last
 * if name and value match (the session formats right after decoding).
 */
export function formatReturn(name: string, ret: bigint | undefined, errnoMax: number, retSize = 8, args?: DecodedArg[], errnoArch?: 'mips'): string {
  const last = lastDecoration;
  lastDecoration = undefined;
  if (ret === undefined) return '?';
  const e = errnoOf(BigInt.asIntN(retSize * 8, ret), errnoMax);
  if (e !== undefined) {
    const info = errnoArch === 'mips' ? mipsErrno(e) : ERRNO.get(e);
    // 512-531: the kernel-internal ERESTARTSYS...; MIPS numbers EDQUOT 1133.
    if (info && e >= 512 && e < 1000) return `? ${info[0]} (${info[1]})`;
    return info ? `-1 ${info[0]} (${info[1]})` : `-1 errno ${e}`;
  }
  const key = args ?? (last && last.name === name && last.ret === BigInt.asIntN(64, ret) ? last.args : undefined);
  const d = key ? decorations.get(key) : undefined;
  if (d !== undefined) return d;
  if (HEX_RETURN.has(name)) return hex(BigInt.asUintN(retSize * 8, ret));
  return signed(ret, retSize).toString();
}

/** Argument texts joined as strace prints them, omitted ones left out. */
export function joinArgs(args: DecodedArg[], from = 0, to = args.length): string {
  return args
    .slice(from, to)
    .filter((a) => !a.omitted)
    .map((a) => a.text ?? (a.raw === 0n && a.type.includes('*') ? 'NULL' : hex(a.raw)))
    .join(', ');
}
