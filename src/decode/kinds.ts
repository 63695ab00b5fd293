/**
 * Argument kinds: how one argument prints, and when (at entry, at return, or both for
 * in/out arguments). The per-call tables in specs.ts name a kind for each argument, as
 * strace's decoders name a printer for each argument.
 */
import { flags, hex, pointer, readView, struct, xval, type ArgCtx } from './context.js';
import { octal, signed, styled, unsigned } from './format.js';
import * as S from './structs.js';
import { both, buffer, entry, exit, fileFlags, iovecs, readPath, readStrArray, retOk, waitStatus, type KindDef } from './helpers.js';
import {
  ACCESS_MODES, AT_FDCWD, AT_FLAGS, CLONE_FLAGS, MAP_FLAGS, MAP_FLAGS_MIPS, MAP_TYPES, PROT_FLAGS, SEEK_WHENCE, WAIT_OPTIONS,
} from './tables/linux-flags.js';
import * as M from './tables/linux-misc.js';
import { archOf, openFlagsOf, timespecWordOf, wordOf } from './arch.js';
import * as G from './tables/linux-signal.js';
import { NET_KINDS } from './kinds-net.js';
import { CALL_KINDS } from './kinds-calls.js';
import { MORE_KINDS } from './kinds-more.js';

/** Word size of struct sigaction: 4 on ARM and i386 (MIPS o32 orders its fields otherwise: not described yet). */
function sigactionWord(c: ArgCtx): 4 | 8 {
  const a = archOf(c.info);
  return a === 'arm' || a === 'i386' || a === 'mips' ? 4 : 8;
}

/** Bytes of a `long` of the call's ABI: struct timeval, itimerval and rusage are made of longs. */
function longWord(c: ArgCtx): 4 | 8 {
  return wordOf(c.info);
}

/** Bytes of a timespec field (arch.ts timespecWordOf). */
function timespecWord(c: ArgCtx): 4 | 8 {
  return timespecWordOf(c.info);
}

/** struct rlimit has longs, except prlimit64's struct rlimit64. */
function rlimitWord(c: ArgCtx): 4 | 8 {
  return c.info?.name === 'prlimit64' ? 8 : wordOf(c.info);
}

/** RLIM_INFINITY of a 32-bit ABI (arch/mips/include/uapi/asm/resource.h: 0x7fffffff on o32). */
function rlimInfinity32(c: ArgCtx): bigint {
  return archOf(c.info) === 'mips' ? 0x7fffffffn : 0xffffffffn;
}

/** The kinds shared by many calls. */
const BASE: Record<string, KindDef> = {
  int: entry((c) => signed(c.v, c.size).toString()),
  uint: entry((c) => unsigned(c.v, c.size).toString()),
  hex: entry((c) => hex(unsigned(c.v, c.size))),
  /** `%#x`: 0 or 0x20. */
  xint: entry((c) => (c.v === 0n ? '0' : hex(unsigned(c.v, c.size)))),
  ptr: entry((c) => pointer(c.v)),
  omit: entry(() => null),
  fd: entry((c) => signed(c.v, 4).toString()),
  dirfd: entry((c) => (signed(c.v, 4) === AT_FDCWD ? styled('-100', 'AT_FDCWD', c.style.xlat) : signed(c.v, 4).toString())),
  uid: entry((c) => signed(c.v, 4).toString()),
  path: entry((c) => readPath(c, c.v, 4096), true),
  str: entry((c) => readPath(c, c.v, c.style.strsize), true),
  inbuf: entry((c) => buffer(c, c.v, Number(unsigned(c.raw(c.i + 1), 4))), true),
  outbuf: exit((c) => (retOk(c) ? buffer(c, c.v, Number(c.ret)) : pointer(c.v))),
  /** getrandom: the bytes in \x notation. */
  outbuf_hex: exit((c) => (retOk(c) ? buffer(c, c.v, Number(c.ret), true) : pointer(c.v))),
  /** getcwd: the string the kernel wrote (the return counts its NUL). */
  outstr: exit((c) => (retOk(c) ? readPath(c, c.v, 4096) : pointer(c.v))),
  open_flags: entry((c) => fileFlags(c, c.v, true)),
  /** pipe2, dup3, ... : O_* flags without the access mode. */
  o_flags: entry((c) => fileFlags(c, c.v, false)),
  open_mode: entry((c) => {
    const f = c.raw(c.i - 1);
    const { tmpfile, creat } = openFlagsOf(c.info);
    return (f & creat) === 0n && (f & tmpfile) !== tmpfile ? null : octal(unsigned(c.v, 4));
  }),
  mode: entry((c) => octal(unsigned(c.v, 4))),
  at_flags: entry((c) => flags(c, unsigned(c.v, 4), AT_FLAGS)),
  wait_options: entry((c) => flags(c, unsigned(c.v, 4), WAIT_OPTIONS)),
  prot: entry((c) => flags(c, unsigned(c.v, 4), PROT_FLAGS)),
  mmap_flags: entry((c) => {
    const f = unsigned(c.v, 4);
    const abbrev = { ...c, style: { ...c.style, xlat: 'abbrev' as const } };
    const type = xval(abbrev, f & 0xfn, MAP_TYPES, 'MAP_');
    const rest = flags(abbrev, f & ~0xfn, archOf(c.info) === 'mips' ? MAP_FLAGS_MIPS : MAP_FLAGS);
    return styled(hex(f), rest === '0' ? type : `${type}|${rest}`, c.style.xlat);
  }),
  access_mode: entry((c) => flags(c, unsigned(c.v, 4), ACCESS_MODES)),
  whence: entry((c) => xval(c, unsigned(c.v, 4), SEEK_WHENCE, 'SEEK_')),
  signal: entry((c) => {
    const s = Number(unsigned(c.v, 4));
    return s === 0 ? '0' : styled(String(s), S.signalName(s, S.signalArch(c)), c.style.xlat);
  }),
  wait_status: exit(async (c) => {
    if (c.v === 0n) return 'NULL';
    if (!retOk(c) || c.ret === 0n) return hex(c.v);
    return struct(c, 4, (v) => `[${waitStatus(v.i32(0), S.signalArch(c))}]`);
  }),
  pipefds: exit((c) => (retOk(c) ? struct(c, 8, (v) => `[${v.i32(0)}, ${v.i32(4)}]`) : pointer(c.v))),
  timespec: entry((c) => struct(c, 2 * timespecWord(c), (v) => S.timespec(v, 0, timespecWord(c))), true),
  timespec_out: exit((c) => struct(c, 2 * timespecWord(c), (v) => S.timespec(v, 0, timespecWord(c)))),
  timeval_in: entry((c) => struct(c, 2 * longWord(c), (v) => S.timeval(v, 0, longWord(c))), true),
  clone_flags: entry((c) => flags(c, unsigned(c.v, 8), CLONE_FLAGS)),
  timeval_out: exit((c) => struct(c, 2 * longWord(c), (v) => S.timeval(v, 0, longWord(c)))),
  strarray: entry((c) => readStrArray(c, false), true),
  /** The environment: a count, or with -v the strings. */
  envp: entry((c) => readStrArray(c, !c.style.verbose), true),
  stat_out: exit((c) => (archOf(c.info) === 'arm64' ? struct(c, 128, (v) => S.stat(c, S.genericStat(v))) : struct(c, S.STAT_SIZE, (v) => S.stat(c, v)))),
  statx_out: exit((c) => struct(c, S.STATX_SIZE, (v) => S.statx(c, v))),
  statfs_out: exit((c) => struct(c, S.STATFS_SIZE, (v) => S.statfs(c, v))),
  statx_flags: entry((c) => {
    const f = unsigned(c.v, 4);
    const sync = xval(c, f & 0x6000n, M.AT_STATX_SYNC, 'AT_STATX_SYNC_');
    const rest = f & ~0x6000n;
    return rest === 0n ? sync : `${sync}|${flags(c, rest, AT_FLAGS)}`;
  }),
  statx_mask: entry((c) => flags(c, unsigned(c.v, 4), M.STATX_MASK)),
  flock_op: entry((c) => flags(c, unsigned(c.v, 4), M.FLOCK_OPS)),
  fadvise: entry((c) => xval(c, unsigned(c.v, 4), M.FADVISE, 'POSIX_FADV_')),
  rename_flags: entry((c) => flags(c, unsigned(c.v, 4), M.RENAME_FLAGS)),
  dirents: exit(async (c) => {
    if (!retOk(c)) return pointer(c.v);
    const n = Number(c.ret);
    if (n === 0) return c.style.verbose ? '[]' : `${hex(c.v)} /* 0 entries */`;
    const v = await readView(c, c.v, n);
    return v ? S.dirents(c, c.v, v) : hex(c.v);
  }),
  dirents_old: exit(async (c) => {
    if (!retOk(c)) return pointer(c.v);
    const n = Number(c.ret);
    if (n === 0) return c.style.verbose ? '[]' : `${hex(c.v)} /* 0 entries */`;
    const v = await readView(c, c.v, n);
    return v ? S.direntsOld(c, c.v, v) : hex(c.v);
  }),
  iovec_in: entry((c) => iovecs(c, Number(unsigned(c.raw(c.i + 1), 4)), Infinity), true),
  iovec_out: exit((c) => (retOk(c) ? iovecs(c, Number(unsigned(c.raw(c.i + 1), 4)), Number(c.ret)) : pointer(c.v))),
  uname_out: exit((c) => struct(c, S.UTSNAME_SIZE, (v) => S.utsname(c, v))),
  resource: entry((c) => xval(c, unsigned(c.v, 4), M.RLIMITS, 'RLIMIT_')),
  rlimit_in: entry((c) => struct(c, 2 * rlimitWord(c), (v) => S.rlimit(c, v, rlimitWord(c), rlimInfinity32(c))), true),
  rlimit_out: exit((c) => struct(c, 2 * rlimitWord(c), (v) => S.rlimit(c, v, rlimitWord(c), rlimInfinity32(c)))),
  rusage_who: entry((c) => xval(c, signed(c.v, 4), M.RUSAGE_WHO, 'RUSAGE_')),
  rusage_out: exit((c) => struct(c, S.rusageSize(longWord(c)), (v) => S.rusage(c, v, longWord(c)))),
  tms_out: exit((c) => struct(c, 32, (v) => S.tms(c, v))),
  prio_which: entry((c) => xval(c, unsigned(c.v, 4), M.PRIO_WHICH, 'PRIO_')),
  clockid: entry((c) => xval(c, signed(c.v, 4), M.CLOCKS, 'CLOCK_')),
  timer_flags: entry((c) => flags(c, unsigned(c.v, 4), M.TIMER_FLAGS)),
  getrandom_flags: entry((c) => flags(c, unsigned(c.v, 4), M.GETRANDOM_FLAGS)),
  idtype: entry((c) => xval(c, unsigned(c.v, 4), M.IDTYPES, 'P_')),
  siginfo_out: exit((c) => struct(c, 128, (v) => S.siginfo(c, v))),
  siginfo_in: entry((c) => struct(c, 128, (v) => S.siginfo(c, v)), true),
  cpuset_out: exit(async (c) => {
    if (!retOk(c)) return pointer(c.v);
    const v = await readView(c, c.v, Number(c.ret));
    if (!v) return hex(c.v);
    const cpus: number[] = [];
    for (let i = 0; i < v.length * 8; i++) if ((v.buf[i >> 3]! >> (i & 7)) & 1) cpus.push(i);
    return `[${cpus.join(' ')}]`;
  }),
  madvise: entry((c) => xval(c, unsigned(c.v, 4), M.MADVISE, 'MADV_')),
  msync_flags: entry((c) => flags(c, unsigned(c.v, 4), M.MSYNC_FLAGS)),
  mremap_flags: entry((c) => flags(c, unsigned(c.v, 4), M.MREMAP_FLAGS)),
  mremap_addr: entry((c) => (c.raw(3) & 2n ? pointer(c.v) : null)),
  /** mount's flags, with the old magic number in the high half as strace shows it. */
  mount_flags: entry((c) => {
    const f = unsigned(c.v, 8);
    const magic = (f & 0xffff0000n) === 0xc0ed0000n;
    const text = flags(c, magic ? f & 0xffffn : f, M.MOUNT_FLAGS);
    return magic ? `MS_MGC_VAL${text === '0' ? '' : '|' + text}` : text;
  }),
  umount_flags: entry((c) => flags(c, unsigned(c.v, 4), M.UMOUNT_FLAGS)),
  mfd_flags: entry((c) => flags(c, unsigned(c.v, 4), M.MFD_FLAGS)),
  mincore_vec: exit(async (c) => {
    if (!retOk(c)) return pointer(c.v);
    const pages = Number((unsigned(c.raw(1), 8) + 4095n) / 4096n);
    const v = await readView(c, c.v, Math.min(pages, c.style.strsize));
    if (!v) return hex(c.v);
    return `[${[...v.buf].map((b) => b & 1).join(', ')}${pages > c.style.strsize ? ', ...' : ''}]`;
  }),
  shm_key: entry((c) => (c.v === 0n ? styled('0', 'IPC_PRIVATE', c.style.xlat) : hex(unsigned(c.v, 4)))),
  shmget_flags: entry((c) => {
    // Two parts, as strace: the IPC_/SHM_ flags, then the mode (`IPC_CREAT|0600`).
    const f = unsigned(c.v, 4);
    const high = f & ~0o777n ? flags(c, f & ~0o777n, { bits: [...M.IPC_FLAGS.bits, ...M.SHM_FLAGS.bits] }) : '';
    const mode = f & 0o777n || !high ? octal(f & 0o777n) : '';
    return [high, mode].filter(Boolean).join('|');
  }),
  shmat_flags: entry((c) => flags(c, unsigned(c.v, 4), M.SHMAT_FLAGS)),
  shmctl_cmd: entry((c) => xval(c, unsigned(c.v, 4), M.SHMCTL_CMDS, 'IPC_')),
  membarrier_cmd: entry((c) => (c.v === 0n ? styled('0', 'MEMBARRIER_CMD_QUERY', c.style.xlat) : flags(c, unsigned(c.v, 4), M.MEMBARRIER_CMDS))),
  sigset: entry((c) => struct(c, 8, (v) => S.sigset(v.u64(0), 64, c.style.xlat, S.signalArch(c))), true),
  sigset_out: exit((c) => struct(c, 8, (v) => S.sigset(v.u64(0), 64, c.style.xlat, S.signalArch(c)))),
  sigaction_in: entry((c) => struct(c, S.sigactionSize(sigactionWord(c)), (v) => S.sigaction(c, v, sigactionWord(c))), true),
  sigaction_out: exit((c) => struct(c, S.sigactionSize(sigactionWord(c)), (v) => S.sigaction(c, v, sigactionWord(c)))),
  sigprocmask_how: entry((c) => xval(c, unsigned(c.v, 4), archOf(c.info) === 'mips' ? G.SIGPROCMASK_HOW_MIPS : G.SIGPROCMASK_HOW, 'SIG_')),
  stack_in: entry((c) => struct(c, 24, (v) => S.stackT(c, v)), true),
  stack_out: exit((c) => struct(c, 24, (v) => S.stackT(c, v))),
  itimer_which: entry((c) => xval(c, unsigned(c.v, 4), G.ITIMER_WHICH, 'ITIMER_')),
  itimerval_in: entry((c) => struct(c, 4 * longWord(c), (v) => S.itimerval(v, longWord(c))), true),
  itimerval_out: exit((c) => struct(c, 4 * longWord(c), (v) => S.itimerval(v, longWord(c)))),
  itimerspec_in: entry((c) => struct(c, 4 * timespecWord(c), (v) => S.itimerspec(v, timespecWord(c))), true),
  itimerspec_out: exit((c) => struct(c, 4 * timespecWord(c), (v) => S.itimerspec(v, timespecWord(c)))),
  sfd_flags: entry((c) => flags(c, unsigned(c.v, 4), G.SFD_FLAGS)),
  efd_flags: entry((c) => flags(c, unsigned(c.v, 4), G.EFD_FLAGS)),
  tfd_flags: entry((c) => flags(c, unsigned(c.v, 4), G.TFD_CREATE_FLAGS)),
  tfd_settime_flags: entry((c) => flags(c, unsigned(c.v, 4), G.TFD_SETTIME_FLAGS)),
  epoll_flags: entry((c) => flags(c, unsigned(c.v, 4), G.EPOLL_CREATE_FLAGS)),
  epoll_op: entry((c) => xval(c, unsigned(c.v, 4), G.EPOLL_CTL_OPS, 'EPOLL_CTL_')),
  // struct epoll_event is packed (12 bytes) on x86 only (include/uapi/linux/eventpoll.h EPOLL_PACKED).
  epoll_event_in: entry((c) => {
    const packed = archOf(c.info) === 'x86_64' || archOf(c.info) === 'i386';
    return struct(c, packed ? 12 : 16, (v) => S.epollEvent(c, v, 0, packed));
  }, true),
  epoll_events_out: exit(async (c) => {
    if (!retOk(c)) return pointer(c.v);
    const packed = archOf(c.info) === 'x86_64' || archOf(c.info) === 'i386';
    const size = packed ? 12 : 16;
    const n = Number(c.ret);
    const v = await readView(c, c.v, size * n);
    if (!v) return hex(c.v);
    const items: string[] = [];
    for (let i = 0; i < n; i++) items.push(S.epollEvent(c, v, size * i, packed));
    return `[${items.join(', ')}]`;
  }),
  /** sendfile's offset: `[0] => [4]`. */
  off_inout: both(async (c) => {
    if (c.v === 0n) return 'NULL';
    const now = await struct(c, 8, (v) => `[${v.i64(0)}]`);
    if (c.ret === undefined) return now;
    return c.entry !== undefined && retOk(c) ? `${c.entry} => ${now}` : c.entry ?? now;
  }),
  ...NET_KINDS,
  ...CALL_KINDS,
  ...MORE_KINDS,
};

export const KINDS: Readonly<Record<string, KindDef>> = BASE;

export type { KindDef };
