/**
 * From registers to the arguments strace prints, on ABIs where a 64-bit argument does not
 * fit one register (arch/x86/entry/syscalls/syscall_32.tbl wrappers, the ARM EABI and MIPS
 * o32 calling conventions):
 *
 * - `consecutive` (i386): a 64-bit argument takes the next two registers;
 * - `aligned` (ARM EABI, MIPS o32): it starts at an even register, one being skipped;
 * - low word first unless `bigEndian`.
 *
 * And the i386 wrappers whose prototypes split such an argument into two 32-bit ones
 * (`sys_ia32_pread64(..., u32 poslo, u32 poshi)`, `sys_llseek(fd, offset_high, offset_low, ...)`)
 * are joined back into one (`pos`), as strace prints them.
 */
import type { ArgInfo, SyscallInfo } from './prototypes.js';

export interface PairAbi {
  pairs: 'consecutive' | 'aligned';
  bigEndian?: boolean;
}

/** One argument as strace sees it: a prototype argument, or two joined halves. */
export interface LogicalArg {
  name: string;
  type: string;
  raw: bigint;
  /** Size in bytes (8 for a joined or paired 64-bit value). */
  size: number;
  /** The prototype argument it comes from (the low half's for joined halves). */
  proto: ArgInfo;
}

/** The value of each prototype argument: one register each, two for a 64-bit one on a 32-bit ABI. */
export function registerValues(info: SyscallInfo, regs: readonly bigint[], abi?: PairAbi): bigint[] {
  if (!abi) return info.args.map((_, i) => regs[i] ?? 0n);
  const out: bigint[] = [];
  let r = 0;
  for (const a of info.args) {
    if (a.size === 8 && !a.pointer) {
      if (abi.pairs === 'aligned' && r % 2 === 1) r++;
      const first = BigInt.asUintN(32, regs[r] ?? 0n);
      const second = BigInt.asUintN(32, regs[r + 1] ?? 0n);
      out.push(abi.bigEndian ? (first << 32n) | second : (second << 32n) | first);
      r += 2;
    } else {
      out.push(regs[r] ?? 0n);
      r++;
    }
  }
  return out;
}

const LOW = /^(.+?)(?:_?lo|_?low|_l)$/;
const HIGH = /^(.+?)(?:_?hi|_?high|_h)$/;

/** `[stem, which]` when the name is one half of a split 64-bit argument. */
function half(name: string): [string, 'lo' | 'hi'] | undefined {
  const lo = LOW.exec(name);
  if (lo) return [lo[1]!, 'lo'];
  const hi = HIGH.exec(name);
  if (hi) return [hi[1]!, 'hi'];
  return undefined;
}

/** The logical arguments: prototype arguments, with split halves joined into one. */
export function logicalArgs(info: SyscallInfo, values: readonly bigint[]): LogicalArg[] {
  const out: LogicalArg[] = [];
  const args = info.args;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const b = args[i + 1];
    const ha = half(a.name);
    const hb = b ? half(b.name) : undefined;
    // Only 32-bit halves: on 64-bit ABIs (x86_64 preadv's pos_l, pos_h) the low one is whole.
    if (ha && hb && b && ha[0] === hb[0] && ha[1] !== hb[1] && a.size === 4 && b.size === 4 && !a.pointer && !b.pointer) {
      const lo = BigInt.asUintN(32, ha[1] === 'lo' ? values[i]! : values[i + 1]!);
      const hi = BigInt.asUintN(32, ha[1] === 'hi' ? values[i]! : values[i + 1]!);
      const stem = ha[0].replace(/_$/, '');
      out.push({ name: stem === 'off' ? 'offset' : stem, type: 'loff_t', raw: (hi << 32n) | lo, size: 8, proto: ha[1] === 'lo' ? a : b });
      i++;
      continue;
    }
    out.push({ name: a.name, type: a.type, raw: values[i] ?? 0n, size: a.size, proto: a });
  }
  return out;
}
