/**
 * Signal-related constants as strace 6.1 prints them (src/xlat/sa_handler_values.in,
 * sigact_flags.in, sigprocmaskcmds.in, sigaltstack_flags.in, itimer_which.in). Values for
 * x86 from arch/x86/include/uapi/asm/signal.h and include/uapi/asm-generic/signal-defs.h.
 */
import type { FlagTable } from '../format.js';

/** sa_flags; strace lists SA_RESTORER first. */
export const SA_FLAGS: FlagTable = {
  bits: [
    [0x04000000, 'SA_RESTORER'],
    [0x08000000, 'SA_ONSTACK'],
    [0x10000000, 'SA_RESTART'],
    [0x40000000, 'SA_NODEFER'],
    [0x80000000, 'SA_RESETHAND'],
    [0x00000001, 'SA_NOCLDSTOP'],
    [0x00000002, 'SA_NOCLDWAIT'],
    [0x00000004, 'SA_SIGINFO'],
    [0x00000400, 'SA_UNSUPPORTED'],
    [0x00000800, 'SA_EXPOSE_TAGBITS'],
  ],
};

export const SA_RESTORER = 0x04000000n;

/**
 * MIPS sa_flags (arch/mips/include/uapi/asm/signal.h; SA_UNSUPPORTED and SA_EXPOSE_TAGBITS from
 * asm-generic/signal-defs.h), in SA_FLAGS' name order; MIPS has no SA_RESTORER.
 */
export const SA_FLAGS_MIPS: FlagTable = {
  bits: [
    [0x08000000, 'SA_ONSTACK'],
    [0x10000000, 'SA_RESTART'],
    [0x40000000, 'SA_NODEFER'],
    [0x80000000, 'SA_RESETHAND'],
    [0x00000001, 'SA_NOCLDSTOP'],
    [0x00010000, 'SA_NOCLDWAIT'],
    [0x00000008, 'SA_SIGINFO'],
    [0x00000400, 'SA_UNSUPPORTED'],
    [0x00000800, 'SA_EXPOSE_TAGBITS'],
  ],
};

export const SIG_HANDLERS = new Map<number, string>([[0, 'SIG_DFL'], [1, 'SIG_IGN']]);

export const SIGPROCMASK_HOW = new Map<number, string>([[0, 'SIG_BLOCK'], [1, 'SIG_UNBLOCK'], [2, 'SIG_SETMASK']]);
/** MIPS numbers them from 1 (arch/mips/include/uapi/asm/signal.h). */
export const SIGPROCMASK_HOW_MIPS = new Map<number, string>([[1, 'SIG_BLOCK'], [2, 'SIG_UNBLOCK'], [3, 'SIG_SETMASK']]);

export const SIGALTSTACK_FLAGS: FlagTable = {
  bits: [
    [1, 'SS_ONSTACK'],
    [2, 'SS_DISABLE'],
    [0x80000000, 'SS_AUTODISARM'],
  ],
};

export const ITIMER_WHICH = new Map<number, string>([[0, 'ITIMER_REAL'], [1, 'ITIMER_VIRTUAL'], [2, 'ITIMER_PROF']]);

export const SFD_FLAGS: FlagTable = { bits: [[0o2000000, 'SFD_CLOEXEC'], [0o4000, 'SFD_NONBLOCK']] };
export const EFD_FLAGS: FlagTable = { bits: [[0o2000000, 'EFD_CLOEXEC'], [0o4000, 'EFD_NONBLOCK'], [1, 'EFD_SEMAPHORE']] };
export const TFD_CREATE_FLAGS: FlagTable = { bits: [[0o2000000, 'TFD_CLOEXEC'], [0o4000, 'TFD_NONBLOCK']] };
export const TFD_SETTIME_FLAGS: FlagTable = { bits: [[1, 'TFD_TIMER_ABSTIME'], [2, 'TFD_TIMER_CANCEL_ON_SET']] };
export const EPOLL_CREATE_FLAGS: FlagTable = { bits: [[0o2000000, 'EPOLL_CLOEXEC']] };
export const EPOLL_CTL_OPS = new Map<number, string>([[1, 'EPOLL_CTL_ADD'], [2, 'EPOLL_CTL_DEL'], [3, 'EPOLL_CTL_MOD']]);
export const EPOLL_EVENTS: FlagTable = {
  bits: [
    [0x1, 'EPOLLIN'], [0x2, 'EPOLLPRI'], [0x4, 'EPOLLOUT'], [0x8, 'EPOLLERR'], [0x10, 'EPOLLHUP'],
    [0x20, 'EPOLLNVAL'], [0x40, 'EPOLLRDNORM'], [0x80, 'EPOLLRDBAND'], [0x100, 'EPOLLWRNORM'],
    [0x200, 'EPOLLWRBAND'], [0x400, 'EPOLLMSG'], [0x2000, 'EPOLLRDHUP'], [0x10000000, 'EPOLLEXCLUSIVE'],
    [0x20000000, 'EPOLLWAKEUP'], [0x40000000, 'EPOLLONESHOT'], [0x80000000, 'EPOLLET'],
  ],
};

/** si_code values common to all signals (include/uapi/asm-generic/siginfo.h). */
export const SI_CODES = new Map<number, string>([
  [0, 'SI_USER'], [0x80, 'SI_KERNEL'], [-1, 'SI_QUEUE'], [-2, 'SI_TIMER'], [-3, 'SI_MESGQ'],
  [-4, 'SI_ASYNCIO'], [-5, 'SI_SIGIO'], [-6, 'SI_TKILL'], [-7, 'SI_DETHREAD'], [-60, 'SI_ASYNCNL'],
]);

export const CLD_CODES = new Map<number, string>([
  [1, 'CLD_EXITED'], [2, 'CLD_KILLED'], [3, 'CLD_DUMPED'], [4, 'CLD_TRAPPED'], [5, 'CLD_STOPPED'], [6, 'CLD_CONTINUED'],
]);
