/**
 * The three calls the probe retargets, found by their bytes: a 5-byte `call rel32` (e8) or
 * `jmp rel32` (e9) whose target is the named function, looked for in the first bytes of the
 * function that makes it. The number of matches must be in the site's range, else the probe
 * refuses to arm: the kernel is not one it knows (entry_64.S has one call of each; gcc 12
 * gives do_syscall_64 of Debian's 6.1 two calls of syscall_exit_to_user_mode, one per path).
 */
export interface CallSite {
  /** e.g. `entry_SYSCALL_64 -> do_syscall_64`. */
  what: string;
  /** Address of the e8/e9 opcode. */
  at: bigint;
  hook: SiteSpec['hook'];
  /** The 5 bytes found there. */
  original: Buffer;
  /** Where the call went. */
  target: bigint;
}

export interface SiteSpec {
  caller: string;
  callee: string;
  /** How many bytes of the caller to search. */
  within: number;
  /** Which recorder hook it is sent to. */
  hook: 'entry_hook' | 'exit_hook' | 'child_hook';
  /** How many such calls the caller may have. */
  count: readonly [number, number];
}

/** 6.1's sites: arch/x86/entry/entry_64.S (entry_SYSCALL_64, ret_from_fork), arch/x86/entry/common.c (do_syscall_64). */
export const SITES: readonly SiteSpec[] = [
  { caller: 'entry_SYSCALL_64', callee: 'do_syscall_64', within: 0x100, hook: 'entry_hook', count: [1, 1] },
  { caller: 'do_syscall_64', callee: 'syscall_exit_to_user_mode', within: 0x200, hook: 'exit_hook', count: [1, 4] },
  { caller: 'ret_from_fork', callee: 'syscall_exit_to_user_mode', within: 0x80, hook: 'child_hook', count: [1, 1] },
];

/** Offsets in `code` (read at `base`) of e8/e9 rel32 instructions that reach `target`. */
export function findRel32(code: Buffer, base: bigint, target: bigint): number[] {
  const found: number[] = [];
  for (let i = 0; i + 5 <= code.length; i++) {
    if (code[i] !== 0xe8 && code[i] !== 0xe9) continue;
    const dest = base + BigInt(i + 5) + BigInt(code.readInt32LE(i + 1));
    if (BigInt.asUintN(64, dest) === target) found.push(i);
  }
  return found;
}

/** The 5 bytes of the same instruction sent to `to` instead; undefined when out of rel32 reach. */
export function retarget(site: CallSite, to: bigint): Buffer | undefined {
  const rel = to - (site.at + 5n);
  if (rel < -(2n ** 31n) || rel >= 2n ** 31n) return undefined;
  const b = Buffer.from(site.original);
  b.writeInt32LE(Number(rel), 1);
  return b;
}
