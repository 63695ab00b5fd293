/**
 * More Linux constants as strace 6.1 prints them, one table per strace xlat file
 * (src/xlat/<name>.in, named in each comment). Values from the kernel's uapi headers
 * (x86_64 where an architecture differs).
 */
import type { FlagTable } from '../format.js';

const enumOf = (pairs: Array<[number, string]>): Map<number, string> => new Map(pairs);

/** fcntlcmds.in (include/uapi/asm-generic/fcntl.h, linux/fcntl.h). */
export const FCNTL_CMDS = enumOf([
  [0, 'F_DUPFD'], [1, 'F_GETFD'], [2, 'F_SETFD'], [3, 'F_GETFL'], [4, 'F_SETFL'], [5, 'F_GETLK'], [6, 'F_SETLK'],
  [7, 'F_SETLKW'], [8, 'F_SETOWN'], [9, 'F_GETOWN'], [10, 'F_SETSIG'], [11, 'F_GETSIG'], [15, 'F_SETOWN_EX'],
  [16, 'F_GETOWN_EX'], [17, 'F_GETOWNER_UIDS'], [36, 'F_OFD_GETLK'], [37, 'F_OFD_SETLK'], [38, 'F_OFD_SETLKW'],
  [1024, 'F_SETLEASE'], [1025, 'F_GETLEASE'], [1026, 'F_NOTIFY'], [1030, 'F_DUPFD_CLOEXEC'], [1031, 'F_SETPIPE_SZ'],
  [1032, 'F_GETPIPE_SZ'], [1033, 'F_ADD_SEALS'], [1034, 'F_GET_SEALS'], [1035, 'F_GET_RW_HINT'],
  [1036, 'F_SET_RW_HINT'], [1037, 'F_GET_FILE_RW_HINT'], [1038, 'F_SET_FILE_RW_HINT'],
]);
export const FD_FLAGS: FlagTable = { bits: [[1, 'FD_CLOEXEC']] };
/** flockcmds.in */
export const FLOCK_OPS: FlagTable = { bits: [[1, 'LOCK_SH'], [2, 'LOCK_EX'], [4, 'LOCK_NB'], [8, 'LOCK_UN']] };
/** advise.in (x86_64 values: 4 DONTNEED, 5 NOREUSE) */
export const FADVISE = enumOf([
  [0, 'POSIX_FADV_NORMAL'], [1, 'POSIX_FADV_RANDOM'], [2, 'POSIX_FADV_SEQUENTIAL'], [3, 'POSIX_FADV_WILLNEED'],
  [4, 'POSIX_FADV_DONTNEED'], [5, 'POSIX_FADV_NOREUSE'],
]);
export const RENAME_FLAGS: FlagTable = { bits: [[1, 'RENAME_NOREPLACE'], [2, 'RENAME_EXCHANGE'], [4, 'RENAME_WHITEOUT']] };

/** statx_masks.in; STATX_BASIC_STATS first so it absorbs its bits. */
export const STATX_MASK: FlagTable = {
  bits: [
    [0x7ff, 'STATX_BASIC_STATS'], [0x1, 'STATX_TYPE'], [0x2, 'STATX_MODE'], [0x4, 'STATX_NLINK'], [0x8, 'STATX_UID'],
    [0x10, 'STATX_GID'], [0x20, 'STATX_ATIME'], [0x40, 'STATX_MTIME'], [0x80, 'STATX_CTIME'], [0x100, 'STATX_INO'],
    [0x200, 'STATX_SIZE'], [0x400, 'STATX_BLOCKS'], [0x800, 'STATX_BTIME'], [0x1000, 'STATX_MNT_ID'],
    [0x2000, 'STATX_DIOALIGN'],
  ],
};
/** statx_attrs.in */
export const STATX_ATTRS: FlagTable = {
  bits: [
    [0x4, 'STATX_ATTR_COMPRESSED'], [0x10, 'STATX_ATTR_IMMUTABLE'], [0x20, 'STATX_ATTR_APPEND'],
    [0x40, 'STATX_ATTR_NODUMP'], [0x800, 'STATX_ATTR_ENCRYPTED'], [0x1000, 'STATX_ATTR_AUTOMOUNT'],
    [0x2000, 'STATX_ATTR_MOUNT_ROOT'], [0x100000, 'STATX_ATTR_VERITY'], [0x200000, 'STATX_ATTR_DAX'],
  ],
};
/** at_statx_sync_types.in (the low bits of statx's flags) */
export const AT_STATX_SYNC = enumOf([[0, 'AT_STATX_SYNC_AS_STAT'], [0x2000, 'AT_STATX_FORCE_SYNC'], [0x4000, 'AT_STATX_DONT_SYNC']]);

/** File types of st_mode (modetypes.in) and its set-id bits. */
export const S_IFMT = 0o170000;
export const FILE_TYPES = enumOf([
  [0o140000, 'S_IFSOCK'], [0o120000, 'S_IFLNK'], [0o100000, 'S_IFREG'], [0o60000, 'S_IFBLK'], [0o40000, 'S_IFDIR'],
  [0o20000, 'S_IFCHR'], [0o10000, 'S_IFIFO'],
]);
export const MODE_SETID: FlagTable = { bits: [[0o4000, 'S_ISUID'], [0o2000, 'S_ISGID'], [0o1000, 'S_ISVTX']] };
/** dirent_types.in */
export const DIRENT_TYPES = enumOf([
  [0, 'DT_UNKNOWN'], [1, 'DT_FIFO'], [2, 'DT_CHR'], [4, 'DT_DIR'], [6, 'DT_BLK'], [8, 'DT_REG'], [10, 'DT_LNK'],
  [12, 'DT_SOCK'], [14, 'DT_WHT'],
]);
/** fsmagic.in (the common ones) */
export const FS_MAGIC = enumOf([
  [0xef53, 'EXT2_SUPER_MAGIC'], [0x01021994, 'TMPFS_MAGIC'], [0x858458f6, 'RAMFS_MAGIC'], [0x9fa0, 'PROC_SUPER_MAGIC'],
  [0x62656572, 'SYSFS_MAGIC'], [0x1cd1, 'DEVPTS_SUPER_MAGIC'], [0x9123683e, 'BTRFS_SUPER_MAGIC'],
  [0x58465342, 'XFS_SUPER_MAGIC'], [0x794c7630, 'OVERLAYFS_SUPER_MAGIC'], [0x27e0eb, 'CGROUP_SUPER_MAGIC'],
  [0x63677270, 'CGROUP2_SUPER_MAGIC'], [0x6969, 'NFS_SUPER_MAGIC'], [0x4d44, 'MSDOS_SUPER_MAGIC'],
]);
/** statfs_flags.in */
export const STATFS_FLAGS: FlagTable = {
  bits: [
    [0x20, 'ST_VALID'], [0x1, 'ST_RDONLY'], [0x2, 'ST_NOSUID'], [0x4, 'ST_NODEV'], [0x8, 'ST_NOEXEC'],
    [0x10, 'ST_SYNCHRONOUS'], [0x40, 'ST_MANDLOCK'], [0x80, 'ST_WRITE'], [0x100, 'ST_APPEND'],
    [0x200, 'ST_IMMUTABLE'], [0x400, 'ST_NOATIME'], [0x800, 'ST_NODIRATIME'], [0x1000, 'ST_RELATIME'],
    [0x2000, 'ST_NOSYMFOLLOW'],
  ],
};

/** Well-known ioctl requests (include/uapi/asm-generic/ioctls.h, linux/fs.h). */
export const IOCTLS = enumOf([
  [0x5401, 'TCGETS'], [0x5402, 'TCSETS'], [0x5403, 'TCSETSW'], [0x5404, 'TCSETSF'], [0x540b, 'TCFLSH'],
  [0x540e, 'TIOCSCTTY'], [0x540f, 'TIOCGPGRP'], [0x5410, 'TIOCSPGRP'], [0x5413, 'TIOCGWINSZ'], [0x5414, 'TIOCSWINSZ'],
  [0x541b, 'FIONREAD'], [0x5421, 'FIONBIO'], [0x5422, 'TIOCNOTTY'], [0x5429, 'TIOCGSID'], [0x5450, 'FIONCLEX'],
  [0x5451, 'FIOCLEX'], [0x5452, 'FIOASYNC'], [0x80045430, 'TIOCGPTN'], [0x40045431, 'TIOCSPTLCK'],
]);

/** pr_*.in: prctl options */
export const PRCTL_OPTIONS = enumOf([
  [1, 'PR_SET_PDEATHSIG'], [2, 'PR_GET_PDEATHSIG'], [3, 'PR_GET_DUMPABLE'], [4, 'PR_SET_DUMPABLE'],
  [7, 'PR_GET_KEEPCAPS'], [8, 'PR_SET_KEEPCAPS'], [15, 'PR_SET_NAME'], [16, 'PR_GET_NAME'],
  [21, 'PR_GET_SECCOMP'], [22, 'PR_SET_SECCOMP'], [23, 'PR_CAPBSET_READ'], [24, 'PR_CAPBSET_DROP'],
  [36, 'PR_SET_CHILD_SUBREAPER'], [37, 'PR_GET_CHILD_SUBREAPER'], [38, 'PR_SET_NO_NEW_PRIVS'],
  [39, 'PR_GET_NO_NEW_PRIVS'], [0x59616d61, 'PR_SET_PTRACER'], [47, 'PR_CAP_AMBIENT'], [1398164801, 'PR_SET_VMA'],
]);
export const SUID_DUMP = enumOf([[0, 'SUID_DUMP_DISABLE'], [1, 'SUID_DUMP_USER'], [2, 'SUID_DUMP_ROOT']]);

/** archvals.in */
export const ARCH_PRCTL = enumOf([
  [0x1001, 'ARCH_SET_GS'], [0x1002, 'ARCH_SET_FS'], [0x1003, 'ARCH_GET_FS'], [0x1004, 'ARCH_GET_GS'],
  [0x1011, 'ARCH_GET_CPUID'], [0x1012, 'ARCH_SET_CPUID'], [0x1021, 'ARCH_GET_XCOMP_SUPP'],
  [0x1022, 'ARCH_GET_XCOMP_PERM'], [0x1023, 'ARCH_REQ_XCOMP_PERM'], [0x2001, 'ARCH_MAP_VDSO_X32'],
  [0x2002, 'ARCH_MAP_VDSO_32'], [0x2003, 'ARCH_MAP_VDSO_64'],
]);

/** resources.in */
export const RLIMITS = enumOf([
  [0, 'RLIMIT_CPU'], [1, 'RLIMIT_FSIZE'], [2, 'RLIMIT_DATA'], [3, 'RLIMIT_STACK'], [4, 'RLIMIT_CORE'],
  [5, 'RLIMIT_RSS'], [6, 'RLIMIT_NPROC'], [7, 'RLIMIT_NOFILE'], [8, 'RLIMIT_MEMLOCK'], [9, 'RLIMIT_AS'],
  [10, 'RLIMIT_LOCKS'], [11, 'RLIMIT_SIGPENDING'], [12, 'RLIMIT_MSGQUEUE'], [13, 'RLIMIT_NICE'],
  [14, 'RLIMIT_RTPRIO'], [15, 'RLIMIT_RTTIME'],
]);
export const RUSAGE_WHO = enumOf([[0, 'RUSAGE_SELF'], [-1, 'RUSAGE_CHILDREN'], [1, 'RUSAGE_THREAD']]);
export const PRIO_WHICH = enumOf([[0, 'PRIO_PROCESS'], [1, 'PRIO_PGRP'], [2, 'PRIO_USER']]);

/** clocknames.in */
export const CLOCKS = enumOf([
  [0, 'CLOCK_REALTIME'], [1, 'CLOCK_MONOTONIC'], [2, 'CLOCK_PROCESS_CPUTIME_ID'], [3, 'CLOCK_THREAD_CPUTIME_ID'],
  [4, 'CLOCK_MONOTONIC_RAW'], [5, 'CLOCK_REALTIME_COARSE'], [6, 'CLOCK_MONOTONIC_COARSE'], [7, 'CLOCK_BOOTTIME'],
  [8, 'CLOCK_REALTIME_ALARM'], [9, 'CLOCK_BOOTTIME_ALARM'], [11, 'CLOCK_TAI'],
]);
export const TIMER_FLAGS: FlagTable = { bits: [[1, 'TIMER_ABSTIME']] };

/** futexops.in: the command in the low 7 bits, then the PRIVATE and CLOCK_REALTIME bits. */
export const FUTEX_CMDS = enumOf([
  [0, 'FUTEX_WAIT'], [1, 'FUTEX_WAKE'], [2, 'FUTEX_FD'], [3, 'FUTEX_REQUEUE'], [4, 'FUTEX_CMP_REQUEUE'],
  [5, 'FUTEX_WAKE_OP'], [6, 'FUTEX_LOCK_PI'], [7, 'FUTEX_UNLOCK_PI'], [8, 'FUTEX_TRYLOCK_PI'],
  [9, 'FUTEX_WAIT_BITSET'], [10, 'FUTEX_WAKE_BITSET'], [11, 'FUTEX_WAIT_REQUEUE_PI'],
  [12, 'FUTEX_CMP_REQUEUE_PI'], [13, 'FUTEX_LOCK_PI2'],
]);

export const GETRANDOM_FLAGS: FlagTable = { bits: [[1, 'GRND_NONBLOCK'], [2, 'GRND_RANDOM'], [4, 'GRND_INSECURE']] };

/** msync_flags.in */
export const MSYNC_FLAGS: FlagTable = { bits: [[1, 'MS_ASYNC'], [2, 'MS_INVALIDATE'], [4, 'MS_SYNC']] };
/** madvise_cmds.in */
export const MADVISE = enumOf([
  [0, 'MADV_NORMAL'], [1, 'MADV_RANDOM'], [2, 'MADV_SEQUENTIAL'], [3, 'MADV_WILLNEED'], [4, 'MADV_DONTNEED'],
  [8, 'MADV_FREE'], [9, 'MADV_REMOVE'], [10, 'MADV_DONTFORK'], [11, 'MADV_DOFORK'], [12, 'MADV_MERGEABLE'],
  [13, 'MADV_UNMERGEABLE'], [14, 'MADV_HUGEPAGE'], [15, 'MADV_NOHUGEPAGE'], [16, 'MADV_DONTDUMP'],
  [17, 'MADV_DODUMP'], [18, 'MADV_WIPEONFORK'], [19, 'MADV_KEEPONFORK'], [20, 'MADV_COLD'], [21, 'MADV_PAGEOUT'],
  [22, 'MADV_POPULATE_READ'], [23, 'MADV_POPULATE_WRITE'], [24, 'MADV_DONTNEED_LOCKED'], [100, 'MADV_HWPOISON'],
  [101, 'MADV_SOFT_OFFLINE'],
]);
export const MREMAP_FLAGS: FlagTable = { bits: [[1, 'MREMAP_MAYMOVE'], [2, 'MREMAP_FIXED'], [4, 'MREMAP_DONTUNMAP']] };
export const MFD_FLAGS: FlagTable = { bits: [[1, 'MFD_CLOEXEC'], [2, 'MFD_ALLOW_SEALING'], [4, 'MFD_HUGETLB']] };
export const MLOCKALL_FLAGS: FlagTable = { bits: [[1, 'MCL_CURRENT'], [2, 'MCL_FUTURE'], [4, 'MCL_ONFAULT']] };

/** ipc_flags.in (the high bits of shmget/semget/msgget flags; the low 9 are the mode). */
export const IPC_FLAGS: FlagTable = { bits: [[0o1000, 'IPC_CREAT'], [0o2000, 'IPC_EXCL'], [0o4000, 'IPC_NOWAIT']] };
export const SHM_FLAGS: FlagTable = { bits: [[0o4000, 'SHM_HUGETLB'], [0o10000, 'SHM_NORESERVE']] };
export const SHMAT_FLAGS: FlagTable = { bits: [[0o10000, 'SHM_RDONLY'], [0o20000, 'SHM_RND'], [0o40000, 'SHM_REMAP'], [0o100000, 'SHM_EXEC']] };
export const SHMCTL_CMDS = enumOf([
  [0, 'IPC_RMID'], [1, 'IPC_SET'], [2, 'IPC_STAT'], [3, 'IPC_INFO'], [11, 'SHM_LOCK'], [12, 'SHM_UNLOCK'],
  [13, 'SHM_STAT'], [14, 'SHM_INFO'], [15, 'SHM_STAT_ANY'],
]);

/** membarrier_cmds.in */
export const MEMBARRIER_CMDS: FlagTable = {
  bits: [
    [0x1, 'MEMBARRIER_CMD_GLOBAL'], [0x2, 'MEMBARRIER_CMD_GLOBAL_EXPEDITED'],
    [0x4, 'MEMBARRIER_CMD_REGISTER_GLOBAL_EXPEDITED'], [0x8, 'MEMBARRIER_CMD_PRIVATE_EXPEDITED'],
    [0x10, 'MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED'], [0x20, 'MEMBARRIER_CMD_PRIVATE_EXPEDITED_SYNC_CORE'],
    [0x40, 'MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED_SYNC_CORE'], [0x80, 'MEMBARRIER_CMD_PRIVATE_EXPEDITED_RSEQ'],
    [0x100, 'MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED_RSEQ'],
  ],
};

/** waitid_types.in */
export const IDTYPES = enumOf([[0, 'P_ALL'], [1, 'P_PID'], [2, 'P_PGID'], [3, 'P_PIDFD']]);

/** pollflags.in */
export const POLL_EVENTS: FlagTable = {
  bits: [
    [0x1, 'POLLIN'], [0x2, 'POLLPRI'], [0x4, 'POLLOUT'], [0x8, 'POLLERR'], [0x10, 'POLLHUP'], [0x20, 'POLLNVAL'],
    [0x40, 'POLLRDNORM'], [0x80, 'POLLRDBAND'], [0x100, 'POLLWRNORM'], [0x200, 'POLLWRBAND'], [0x400, 'POLLMSG'],
    [0x1000, 'POLLREMOVE'], [0x2000, 'POLLRDHUP'],
  ],
};

/** mount_flags.in (include/uapi/linux/mount.h) */
export const MOUNT_FLAGS: FlagTable = {
  bits: [
    [0x1, 'MS_RDONLY'], [0x2, 'MS_NOSUID'], [0x4, 'MS_NODEV'], [0x8, 'MS_NOEXEC'], [0x10, 'MS_SYNCHRONOUS'],
    [0x20, 'MS_REMOUNT'], [0x40, 'MS_MANDLOCK'], [0x80, 'MS_DIRSYNC'], [0x100, 'MS_NOSYMFOLLOW'], [0x400, 'MS_NOATIME'],
    [0x800, 'MS_NODIRATIME'], [0x1000, 'MS_BIND'], [0x2000, 'MS_MOVE'], [0x4000, 'MS_REC'], [0x8000, 'MS_SILENT'],
    [0x10000, 'MS_POSIXACL'], [0x20000, 'MS_UNBINDABLE'], [0x40000, 'MS_PRIVATE'], [0x80000, 'MS_SLAVE'],
    [0x100000, 'MS_SHARED'], [0x200000, 'MS_RELATIME'], [0x400000, 'MS_KERNMOUNT'], [0x800000, 'MS_I_VERSION'],
    [0x1000000, 'MS_STRICTATIME'], [0x2000000, 'MS_LAZYTIME'],
  ],
};
export const UMOUNT_FLAGS: FlagTable = { bits: [[1, 'MNT_FORCE'], [2, 'MNT_DETACH'], [4, 'MNT_EXPIRE'], [8, 'UMOUNT_NOFOLLOW']] };

/** sched_policies.in */
export const SCHED_POLICIES = enumOf([
  [0, 'SCHED_OTHER'], [1, 'SCHED_FIFO'], [2, 'SCHED_RR'], [3, 'SCHED_BATCH'], [4, 'SCHED_ISO'], [5, 'SCHED_IDLE'], [6, 'SCHED_DEADLINE'],
]);
/** falloc_flags.in */
export const FALLOC_FLAGS: FlagTable = {
  bits: [
    [0x1, 'FALLOC_FL_KEEP_SIZE'], [0x2, 'FALLOC_FL_PUNCH_HOLE'], [0x4, 'FALLOC_FL_NO_HIDE_STALE'], [0x8, 'FALLOC_FL_COLLAPSE_RANGE'],
    [0x10, 'FALLOC_FL_ZERO_RANGE'], [0x20, 'FALLOC_FL_INSERT_RANGE'], [0x40, 'FALLOC_FL_UNSHARE_RANGE'],
  ],
};
/** sync_file_range_flags.in */
export const SYNC_FILE_RANGE_FLAGS: FlagTable = {
  bits: [[1, 'SYNC_FILE_RANGE_WAIT_BEFORE'], [2, 'SYNC_FILE_RANGE_WRITE'], [4, 'SYNC_FILE_RANGE_WAIT_AFTER']],
};
export const XATTR_FLAGS: FlagTable = { bits: [[1, 'XATTR_CREATE'], [2, 'XATTR_REPLACE']] };
export const SPLICE_FLAGS: FlagTable = { bits: [[1, 'SPLICE_F_MOVE'], [2, 'SPLICE_F_NONBLOCK'], [4, 'SPLICE_F_MORE'], [8, 'SPLICE_F_GIFT']] };
/** inotify_init_flags.in, inotify_flags.in */
export const INOTIFY_INIT_FLAGS: FlagTable = { bits: [[0o4000, 'IN_NONBLOCK'], [0o2000000, 'IN_CLOEXEC']] };
export const INOTIFY_MASK: FlagTable = {
  bits: [
    [0x1, 'IN_ACCESS'], [0x2, 'IN_MODIFY'], [0x4, 'IN_ATTRIB'], [0x8, 'IN_CLOSE_WRITE'], [0x10, 'IN_CLOSE_NOWRITE'],
    [0x20, 'IN_OPEN'], [0x40, 'IN_MOVED_FROM'], [0x80, 'IN_MOVED_TO'], [0x100, 'IN_CREATE'], [0x200, 'IN_DELETE'],
    [0x400, 'IN_DELETE_SELF'], [0x800, 'IN_MOVE_SELF'], [0x2000, 'IN_UNMOUNT'], [0x4000, 'IN_Q_OVERFLOW'],
    [0x8000, 'IN_IGNORED'], [0x1000000, 'IN_ONLYDIR'], [0x2000000, 'IN_DONT_FOLLOW'], [0x4000000, 'IN_EXCL_UNLINK'],
    [0x10000000, 'IN_MASK_CREATE'], [0x20000000, 'IN_MASK_ADD'], [0x40000000, 'IN_ISDIR'], [0x80000000, 'IN_ONESHOT'],
  ],
};
/** sigev_value.in */
export const SIGEV_NOTIFY = enumOf([[0, 'SIGEV_SIGNAL'], [1, 'SIGEV_NONE'], [2, 'SIGEV_THREAD'], [4, 'SIGEV_THREAD_ID']]);
/** semctl and msgctl commands (ipc_cmds.in, semctl_cmds.in, msgctl_cmds.in) */
export const SEMCTL_CMDS = enumOf([
  [0, 'IPC_RMID'], [1, 'IPC_SET'], [2, 'IPC_STAT'], [3, 'IPC_INFO'], [11, 'GETPID'], [12, 'GETVAL'], [13, 'GETALL'],
  [14, 'GETNCNT'], [15, 'GETZCNT'], [16, 'SETVAL'], [17, 'SETALL'], [18, 'SEM_STAT'], [19, 'SEM_INFO'], [20, 'SEM_STAT_ANY'],
]);
export const MSGCTL_CMDS = enumOf([[0, 'IPC_RMID'], [1, 'IPC_SET'], [2, 'IPC_STAT'], [3, 'IPC_INFO'], [11, 'MSG_STAT'], [12, 'MSG_INFO'], [13, 'MSG_STAT_ANY']]);
export const SEM_FLAGS: FlagTable = { bits: [[0o4000, 'IPC_NOWAIT'], [0o10000, 'SEM_UNDO']] };
export const MSG_IPC_FLAGS: FlagTable = { bits: [[0o4000, 'IPC_NOWAIT'], [0o10000, 'MSG_NOERROR'], [0o20000, 'MSG_EXCEPT'], [0o40000, 'MSG_COPY']] };
export const UTIME_SPECIAL = enumOf([[0x3fffffff, 'UTIME_NOW'], [0x3ffffffe, 'UTIME_OMIT']]);

/** bootflags1.in, bootflags2.in, bootflags3.in (include/uapi/linux/reboot.h) */
export const REBOOT_MAGIC1 = enumOf([[0xfee1dead, 'LINUX_REBOOT_MAGIC1']]);
export const REBOOT_MAGIC2 = enumOf([[672274793, 'LINUX_REBOOT_MAGIC2'], [85072278, 'LINUX_REBOOT_MAGIC2A'], [369367448, 'LINUX_REBOOT_MAGIC2B'], [537993216, 'LINUX_REBOOT_MAGIC2C']]);
export const REBOOT_CMDS = enumOf([
  [0x01234567, 'LINUX_REBOOT_CMD_RESTART'], [0xcdef0123, 'LINUX_REBOOT_CMD_HALT'], [0x89abcdef, 'LINUX_REBOOT_CMD_CAD_ON'],
  [0, 'LINUX_REBOOT_CMD_CAD_OFF'], [0x4321fedc, 'LINUX_REBOOT_CMD_POWER_OFF'], [0xa1b2c3d4, 'LINUX_REBOOT_CMD_RESTART2'],
  [0xd000fce2, 'LINUX_REBOOT_CMD_SW_SUSPEND'], [0x45584543, 'LINUX_REBOOT_CMD_KEXEC'],
]);
