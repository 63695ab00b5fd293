/**
 * What the recorder captures for each system call, derived from the decoder's own argument
 * kinds (src/decode/kinds*.ts, specs.ts): strings and small structures are copied in the
 * guest with the kernel's copy_from_user_nofault / strncpy_from_user_nofault (bounded);
 * arguments that need more (arrays of strings, iovecs, message headers, decorations read from
 * memory) make the call "live": the recorder rings a doorbell breakpoint and the probe decodes
 * that one call from the stopped guest's memory, as the breakpoint engine does.
 */
import { argsOf } from '../decode/decoder.js';
import { KINDS } from '../decode/kinds.js';
import { RETURNS } from '../decode/kinds-calls.js';
import type { SyscallTable } from '../decode/prototypes.js';
import { STATFS_SIZE, STATX_SIZE, STAT_SIZE, RUSAGE_SIZE, UTSNAME_SIZE } from '../decode/structs.js';
import { C, encodeCapture, F_LIVE_ENTER, F_LIVE_RETURN, NR_MAX, SPEC_SIZE, type Capture } from './layout.js';

/** Longest path the decoder prints (kinds.ts `path`: readPath(..., 4096)), with its NUL and one more byte. */
const PATH_CAPTURE = 4098;

/** Structures read whole at entry (and again at return, where the entry could not read them). */
const FIXED_IN: Record<string, number> = {
  timespec: 16, timeval_in: 16, rlimit_in: 16, sigset: 8, sigaction_in: 32, siginfo_in: 128, itimerspec_in: 32,
};
/** Structures the kernel fills, read at return. */
const FIXED_OUT: Record<string, number> = {
  timespec_out: 16, timeval_out: 16, rlimit_out: 16, sigset_out: 8, sigaction_out: 32, pipefds: 8, stat_out: STAT_SIZE,
  statx_out: STATX_SIZE, statfs_out: STATFS_SIZE, uname_out: UTSNAME_SIZE, rusage_out: RUSAGE_SIZE, tms_out: 32, siginfo_out: 128,
  int_out: 4, wait_status: 4, itimerspec_out: 32, itimerval_out: 32, llseek_result: 8,
};
/** Calls whose return decoration (kinds-calls.ts RETURNS) reads no memory. */
const SCALAR_RETURNS = new Set(['fcntl', 'membarrier', 'umask', 'sched_getscheduler']);
/** Completed at entry from the user stack (the profile's sigreturn): decoded live. */
const LIVE_ENTER_CALLS = new Set(['rt_sigreturn', 'sigreturn']);

export interface CallCaptures {
  flags: number;
  captures: Capture[];
}

/** The capture plan of one call, from its argument kinds. */
export function plan(table: SyscallTable, no: number, strsize: number): CallCaptures {
  const info = table.getSyscallInfo(no);
  if (!info) return { flags: 0, captures: [] };
  const args = argsOf(info, new Array<bigint>(6).fill(0n));
  const caps: Capture[] = [];
  let flags = LIVE_ENTER_CALLS.has(info.name) ? F_LIVE_ENTER : 0;
  if (RETURNS[info.name] && !SCALAR_RETURNS.has(info.name)) flags |= F_LIVE_RETURN;
  const bufMax = Math.min(0xffff, Math.max(1, strsize + 1));
  args.forEach((a, i) => {
    const k = a.kind;
    const def = KINDS[k];
    if (k === 'path') caps.push({ arg: i, kind: 'string', max: PATH_CAPTURE, enter: true, ret: true });
    else if (k === 'str') caps.push({ arg: i, kind: 'string', max: Math.min(0xffff, strsize + 2), enter: true, ret: true });
    else if (k === 'outstr') caps.push({ arg: i, kind: 'string', max: PATH_CAPTURE, enter: false, ret: true });
    else if (k === 'inbuf') caps.push({ arg: i, kind: 'counted', src: i + 1, max: bufMax, enter: true, ret: true });
    else if (k === 'outbuf' || k === 'outbuf_hex') caps.push({ arg: i, kind: 'counted', src: 'ret', max: bufMax, enter: false, ret: true });
    else if (FIXED_IN[k] !== undefined) caps.push({ arg: i, kind: 'fixed', max: FIXED_IN[k]!, enter: true, ret: true });
    else if (FIXED_OUT[k] !== undefined) caps.push({ arg: i, kind: 'fixed', max: FIXED_OUT[k]!, enter: false, ret: true });
    else if (!def) return; // printed as hex
    else if (def.at === 'entry' && !def.reads) return; // a number, flags, an fd...
    else {
      if (def.at !== 'exit') flags |= F_LIVE_ENTER;
      if (def.at !== 'entry' || def.reads) flags |= F_LIVE_RETURN;
    }
  });
  return { flags, captures: caps };
}

/** The capture table (struct spec table[NR_MAX] of recorder.c), ready to write at ctrl + C.table. */
export function captureTable(table: SyscallTable, strsize: number): { bytes: Buffer; live: string[] } {
  const bytes = Buffer.alloc(NR_MAX * SPEC_SIZE);
  const live: string[] = [];
  for (let no = 0; no < NR_MAX; no++) {
    const p = plan(table, no, strsize);
    const at = no * SPEC_SIZE;
    bytes.writeUInt32LE(p.flags, at);
    if (p.flags) live.push(table.getSyscallInfo(no)!.name);
    for (const c of p.captures.slice(0, 6)) bytes.writeUInt32LE(encodeCapture(c), at + 4 + 4 * c.arg);
  }
  return { bytes, live };
}

export const TABLE_OFFSET = C.table;
