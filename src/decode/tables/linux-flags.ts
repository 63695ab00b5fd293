/**
 * Linux constant tables (generic/x86 values). Facts from the kernel's uapi headers:
 * include/uapi/asm-generic/fcntl.h (O_*), include/uapi/linux/fcntl.h (AT_*),
 * include/uapi/linux/wait.h (W*), include/uapi/asm-generic/mman-common.h (PROT_*, MAP_*),
 * include/uapi/linux/sched.h (CLONE_*). Names are listed as strace prints them.
 */
import type { FlagTable } from '../format.js';

export const O_ACCMODE = 3n;
export const O_ACCMODE_NAMES = ['O_RDONLY', 'O_WRONLY', 'O_RDWR', '0x3'];
export const O_CREAT = 0o100n;
export const O_TMPFILE = 0o20200000n;

/**
 * open/openat flags other than the access mode (x86 and asm-generic values), in strace 6.1's
 * order (src/xlat/open_mode_flags.in: O_TMPFILE before O_DIRECTORY, whose bit it holds; O_ASYNC
 * printed as FASYNC).
 */
export const OPEN_FLAGS: FlagTable = {
  bits: [
    [0o100, 'O_CREAT'],
    [0o200, 'O_EXCL'],
    [0o400, 'O_NOCTTY'],
    [0o1000, 'O_TRUNC'],
    [0o2000, 'O_APPEND'],
    [0o4000, 'O_NONBLOCK'],
    [0o4010000, 'O_SYNC'],
    [0o10000, 'O_DSYNC'],
    [0o40000, 'O_DIRECT'],
    [0o100000, 'O_LARGEFILE'],
    [0o400000, 'O_NOFOLLOW'],
    [0o1000000, 'O_NOATIME'],
    [0o2000000, 'O_CLOEXEC'],
    [0o10000000, 'O_PATH'],
    [0o20200000, 'O_TMPFILE'],
    [0o200000, 'O_DIRECTORY'],
    [0o20000, 'FASYNC'],
  ],
};

/** ARM and AArch64 values (arch/arm64/include/uapi/asm/fcntl.h), in the same name order as OPEN_FLAGS (strace's xlat order). */
export const O_TMPFILE_ARM = 0o20040000n;
export const OPEN_FLAGS_ARM: FlagTable = {
  bits: [
    [0o100, 'O_CREAT'],
    [0o200, 'O_EXCL'],
    [0o400, 'O_NOCTTY'],
    [0o1000, 'O_TRUNC'],
    [0o2000, 'O_APPEND'],
    [0o4000, 'O_NONBLOCK'],
    [0o4010000, 'O_SYNC'],
    [0o10000, 'O_DSYNC'],
    [0o200000, 'O_DIRECT'],
    [0o400000, 'O_LARGEFILE'],
    [0o100000, 'O_NOFOLLOW'],
    [0o1000000, 'O_NOATIME'],
    [0o2000000, 'O_CLOEXEC'],
    [0o10000000, 'O_PATH'],
    [0o20040000, 'O_TMPFILE'],
    [0o40000, 'O_DIRECTORY'],
    [0o20000, 'FASYNC'],
  ],
};

/**
 * MIPS values (arch/mips/include/uapi/asm/fcntl.h, the rest from asm-generic/fcntl.h; Debian
 * linux-source 6.1.192), in the same name order as OPEN_FLAGS. O_SYNC is __O_SYNC|O_DSYNC,
 * O_TMPFILE __O_TMPFILE|O_DIRECTORY.
 */
export const O_CREAT_MIPS = 0x100n;
export const O_TMPFILE_MIPS = 0x410000n;
export const OPEN_FLAGS_MIPS: FlagTable = {
  bits: [
    [0x100, 'O_CREAT'],
    [0x400, 'O_EXCL'],
    [0x800, 'O_NOCTTY'],
    [0x200, 'O_TRUNC'],
    [0x8, 'O_APPEND'],
    [0x80, 'O_NONBLOCK'],
    [0x4010, 'O_SYNC'],
    [0x10, 'O_DSYNC'],
    [0x8000, 'O_DIRECT'],
    [0x2000, 'O_LARGEFILE'],
    [0x20000, 'O_NOFOLLOW'],
    [0x40000, 'O_NOATIME'],
    [0x80000, 'O_CLOEXEC'],
    [0x200000, 'O_PATH'],
    [0x410000, 'O_TMPFILE'],
    [0x10000, 'O_DIRECTORY'],
    [0x1000, 'FASYNC'],
  ],
};

export const AT_FDCWD = -100n;

export const AT_FLAGS: FlagTable = {
  bits: [
    [0x100, 'AT_SYMLINK_NOFOLLOW'],
    [0x200, 'AT_REMOVEDIR'],
    [0x400, 'AT_SYMLINK_FOLLOW'],
    [0x800, 'AT_NO_AUTOMOUNT'],
    [0x1000, 'AT_EMPTY_PATH'],
    [0x8000, 'AT_RECURSIVE'],
  ],
};

export const WAIT_OPTIONS: FlagTable = {
  bits: [
    [1, 'WNOHANG'],
    [2, 'WUNTRACED'],
    [4, 'WEXITED'],
    [8, 'WCONTINUED'],
    [0x01000000, 'WNOWAIT'],
    [0x20000000, '__WNOTHREAD'],
    [0x40000000, '__WALL'],
    [0x80000000, '__WCLONE'],
  ],
};

export const PROT_FLAGS: FlagTable = {
  zero: 'PROT_NONE',
  bits: [
    [1, 'PROT_READ'],
    [2, 'PROT_WRITE'],
    [4, 'PROT_EXEC'],
    [0x10, 'PROT_SEM'],
    [0x01000000, 'PROT_GROWSDOWN'],
    [0x02000000, 'PROT_GROWSUP'],
  ],
};

export const MAP_TYPES = new Map<number, string>([
  [1, 'MAP_SHARED'],
  [2, 'MAP_PRIVATE'],
  [3, 'MAP_SHARED_VALIDATE'],
]);

/** mmap flags above the type bits (x86 values). */
export const MAP_FLAGS: FlagTable = {
  bits: [
    [0x10, 'MAP_FIXED'],
    [0x20, 'MAP_ANONYMOUS'],
    [0x40, 'MAP_32BIT'],
    [0x100, 'MAP_GROWSDOWN'],
    [0x800, 'MAP_DENYWRITE'],
    [0x1000, 'MAP_EXECUTABLE'],
    [0x2000, 'MAP_LOCKED'],
    [0x4000, 'MAP_NORESERVE'],
    [0x8000, 'MAP_POPULATE'],
    [0x10000, 'MAP_NONBLOCK'],
    [0x20000, 'MAP_STACK'],
    [0x40000, 'MAP_HUGETLB'],
    [0x80000, 'MAP_SYNC'],
    [0x100000, 'MAP_FIXED_NOREPLACE'],
  ],
};

/**
 * MIPS mmap flags (arch/mips/include/uapi/asm/mman.h), in MAP_FLAGS' name order, then the
 * MIPS-only ones; no MAP_32BIT or MAP_SYNC there.
 */
export const MAP_FLAGS_MIPS: FlagTable = {
  bits: [
    [0x10, 'MAP_FIXED'],
    [0x800, 'MAP_ANONYMOUS'],
    [0x1000, 'MAP_GROWSDOWN'],
    [0x2000, 'MAP_DENYWRITE'],
    [0x4000, 'MAP_EXECUTABLE'],
    [0x8000, 'MAP_LOCKED'],
    [0x400, 'MAP_NORESERVE'],
    [0x10000, 'MAP_POPULATE'],
    [0x20000, 'MAP_NONBLOCK'],
    [0x40000, 'MAP_STACK'],
    [0x80000, 'MAP_HUGETLB'],
    [0x100000, 'MAP_FIXED_NOREPLACE'],
    [0x20, 'MAP_RENAME'],
    [0x40, 'MAP_AUTOGROW'],
    [0x80, 'MAP_LOCAL'],
    [0x100, 'MAP_AUTORSRV'],
  ],
};

export const CLONE_FLAGS: FlagTable = {
  bits: [
    [0x100, 'CLONE_VM'],
    [0x200, 'CLONE_FS'],
    [0x400, 'CLONE_FILES'],
    [0x800, 'CLONE_SIGHAND'],
    [0x1000, 'CLONE_PIDFD'],
    [0x2000, 'CLONE_PTRACE'],
    [0x4000, 'CLONE_VFORK'],
    [0x8000, 'CLONE_PARENT'],
    [0x10000, 'CLONE_THREAD'],
    [0x20000, 'CLONE_NEWNS'],
    [0x40000, 'CLONE_SYSVSEM'],
    [0x80000, 'CLONE_SETTLS'],
    [0x100000, 'CLONE_PARENT_SETTID'],
    [0x200000, 'CLONE_CHILD_CLEARTID'],
    [0x400000, 'CLONE_DETACHED'],
    [0x800000, 'CLONE_UNTRACED'],
    [0x1000000, 'CLONE_CHILD_SETTID'],
    [0x2000000, 'CLONE_NEWCGROUP'],
    [0x4000000, 'CLONE_NEWUTS'],
    [0x8000000, 'CLONE_NEWIPC'],
    [0x10000000, 'CLONE_NEWUSER'],
    [0x20000000, 'CLONE_NEWPID'],
    [0x40000000, 'CLONE_NEWNET'],
    [0x80000000, 'CLONE_IO'],
  ],
};

export const ACCESS_MODES: FlagTable = {
  zero: 'F_OK',
  bits: [
    [4, 'R_OK'],
    [2, 'W_OK'],
    [1, 'X_OK'],
  ],
};

export const SEEK_WHENCE = new Map<number, string>([
  [0, 'SEEK_SET'],
  [1, 'SEEK_CUR'],
  [2, 'SEEK_END'],
  [3, 'SEEK_DATA'],
  [4, 'SEEK_HOLE'],
]);

/** Signal names (x86/arm/generic numbering; include/uapi/asm-generic/signal.h). */
export const SIGNALS = new Map<number, string>([
  [1, 'SIGHUP'], [2, 'SIGINT'], [3, 'SIGQUIT'], [4, 'SIGILL'], [5, 'SIGTRAP'], [6, 'SIGABRT'],
  [7, 'SIGBUS'], [8, 'SIGFPE'], [9, 'SIGKILL'], [10, 'SIGUSR1'], [11, 'SIGSEGV'], [12, 'SIGUSR2'],
  [13, 'SIGPIPE'], [14, 'SIGALRM'], [15, 'SIGTERM'], [16, 'SIGSTKFLT'], [17, 'SIGCHLD'],
  [18, 'SIGCONT'], [19, 'SIGSTOP'], [20, 'SIGTSTP'], [21, 'SIGTTIN'], [22, 'SIGTTOU'],
  [23, 'SIGURG'], [24, 'SIGXCPU'], [25, 'SIGXFSZ'], [26, 'SIGVTALRM'], [27, 'SIGPROF'],
  [28, 'SIGWINCH'], [29, 'SIGIO'], [30, 'SIGPWR'], [31, 'SIGSYS'],
]);
