/**
 * Which architecture's layouts and constants a call uses, from the table it comes from
 * (`SyscallInfo.abi`, e.g. `linux_arm64`). x86_64 when unknown.
 */
import type { SyscallInfo } from './prototypes.js';
import { OPEN_FLAGS, OPEN_FLAGS_ARM, OPEN_FLAGS_MIPS, O_CREAT, O_CREAT_MIPS, O_TMPFILE, O_TMPFILE_ARM, O_TMPFILE_MIPS } from './tables/linux-flags.js';
import type { FlagTable } from './format.js';

export type Arch = 'x86_64' | 'i386' | 'arm' | 'arm64' | 'mips';

export function archOf(info: SyscallInfo | undefined): Arch {
  const abi = info?.abi ?? '';
  if (/arm64|aarch64/.test(abi)) return 'arm64';
  if (/arm/.test(abi)) return 'arm';
  if (/mips/.test(abi)) return 'mips';
  if (/x86$|i386|ia32/.test(abi)) return 'i386';
  return 'x86_64';
}

/** O_* flags other than the access mode: ARM and AArch64 move O_DIRECTORY, O_NOFOLLOW, O_DIRECT, O_LARGEFILE (arch/arm64/include/uapi/asm/fcntl.h). */
export function openFlagsOf(info: SyscallInfo | undefined): { table: FlagTable; tmpfile: bigint; creat: bigint } {
  const a = archOf(info);
  // MIPS keeps its own values for the low flags (O_CREAT 0x100...: asm/fcntl.h).
  if (a === 'mips') return { table: OPEN_FLAGS_MIPS, tmpfile: O_TMPFILE_MIPS, creat: O_CREAT_MIPS };
  return a === 'arm' || a === 'arm64' ? { table: OPEN_FLAGS_ARM, tmpfile: O_TMPFILE_ARM, creat: O_CREAT } : { table: OPEN_FLAGS, tmpfile: O_TMPFILE, creat: O_CREAT };
}

/** Bytes in a user pointer (and a `long`) of the call's ABI. */
export function wordOf(info: SyscallInfo | undefined): 4 | 8 {
  const a = archOf(info);
  return a === 'i386' || a === 'arm' || a === 'mips' ? 4 : 8;
}

/**
 * Bytes of a timespec field: 4 for the old_timespec32 of a 32-bit ABI's *_time32 calls
 * (sys_clock_gettime32, sys_nanosleep_time32, sys_timer_settime32...: kernel/time/), else 8
 * (__kernel_timespec, which the time64 calls of 32-bit ABIs take too).
 */
export function timespecWordOf(info: SyscallInfo | undefined): 4 | 8 {
  return wordOf(info) === 4 && /32$/.test(info?.fn ?? '') ? 4 : 8;
}
