/**
 * What an argument printer sees: the argument, its neighbours, guest memory, the output
 * style and, at return, the return value. Printers never throw: `read` gives null for
 * memory that cannot be read and the printer prints the pointer instead.
 */
import type { SyscallInfo } from './prototypes.js';
import type { GuestMemory } from './memory.js';
import { formatEnum, formatFlags, hex, pointer, type FlagTable, type XlatStyle } from './format.js';
import { View } from './view.js';

/** strace's output options that change how arguments print. */
export interface DecodeStyle {
  /** -s: longest string shown. */
  strsize: number;
  /** -X: constants as names (abbrev), numbers (raw) or both (verbose). */
  xlat: XlatStyle;
  /** -v: structures in full (stat, statx, rusage, utsname, getdents64...). */
  verbose: boolean;
}

export interface ArgCtx {
  /** The register value. */
  v: bigint;
  /** Index of the argument. */
  i: number;
  /** Size of the argument in bytes as passed (4 for int). */
  size: number;
  /** Raw register of argument `j`. */
  raw(j: number): bigint;
  info: SyscallInfo | undefined;
  mem: GuestMemory;
  style: DecodeStyle;
  /** The return value, signed, at return; undefined at entry. */
  ret: bigint | undefined;
  /** At return, the call failed (an errno). */
  failed: boolean;
  /** At return, what the argument printed at entry (for in/out arguments). */
  entry: string | undefined;
}

export type Printed = string | null;

/** A printer: the argument's text, or null to leave the argument out. */
export type Printer = (c: ArgCtx) => Printed | Promise<Printed>;

/** `size` bytes at `addr` as a View, or null when absent or short. */
export async function readView(c: ArgCtx, addr: bigint, size: number): Promise<View | null> {
  if (addr === 0n) return null;
  const b = await c.mem.read(addr, size);
  return b && b.length >= size ? new View(b) : null;
}

/**
 * The struct at the argument's address printed by `fn`: `NULL`, or the address when it
 * cannot be read (or, at return, when the call failed and the kernel wrote nothing).
 */
export async function struct(c: ArgCtx, size: number, fn: (v: View) => string | Promise<string>, addr = c.v): Promise<string> {
  if (addr === 0n) return 'NULL';
  if (c.ret !== undefined && c.failed) return hex(addr);
  const v = await readView(c, addr, size);
  return v ? fn(v) : hex(addr);
}

export function flags(c: ArgCtx, value: bigint, table: FlagTable): string {
  return formatFlags(value, table, c.style.xlat);
}

export function xval(c: ArgCtx, value: bigint, names: ReadonlyMap<number, string>, prefix: string): string {
  return formatEnum(value, names, prefix, c.style.xlat);
}

export { hex, pointer };
