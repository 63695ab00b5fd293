/**
 * strace's syscall classes for `-e trace=%file,...` (strace's sysent flags TF, TP, TN, TS,
 * TI, TD, TM and the stat groups, as in strace 6.1's src/linux/ARCH/syscallent.h), by name;
 * a profile keeps the names its table has.
 */
import { UserError } from '../util/errors.js';

const words = (s: string): readonly string[] => s.trim().split(/\s+/);

const NETWORK = words(`socket socketpair bind connect listen accept accept4 getsockname getpeername sendto recvfrom
  send recv sendmsg recvmsg sendmmsg recvmmsg setsockopt getsockopt shutdown socketcall`);

export const CLASSES: Readonly<Record<string, readonly string[]>> = {
  file: words(`open openat openat2 creat stat lstat newfstatat fstatat64 stat64 lstat64 oldstat oldlstat statx
    access faccessat faccessat2 execve execveat chdir chroot mkdir mkdirat rmdir unlink unlinkat link linkat symlink
    symlinkat rename renameat renameat2 readlink readlinkat chmod fchmodat chown chown32 lchown lchown32 fchownat
    truncate truncate64 utime utimes futimesat utimensat utimensat_time64 mknod mknodat mount umount umount2
    swapon swapoff statfs statfs64 setxattr lsetxattr getxattr lgetxattr listxattr llistxattr removexattr
    lremovexattr inotify_add_watch fanotify_mark name_to_handle_at quotactl acct pivot_root uselib open_tree
    move_mount mount_setattr fspick`),
  process: words(`fork vfork clone clone3 execve execveat exit exit_group wait4 waitid waitpid kill tkill tgkill
    rt_sigqueueinfo rt_tgsigqueueinfo pidfd_send_signal unshare`),
  network: NETWORK,
  net: NETWORK,
  signal: words(`rt_sigaction rt_sigprocmask rt_sigpending rt_sigsuspend rt_sigtimedwait rt_sigtimedwait_time64
    rt_sigqueueinfo rt_tgsigqueueinfo rt_sigreturn sigaction sigprocmask sigpending sigsuspend sigreturn signal
    sigaltstack kill tkill tgkill pause signalfd signalfd4 pidfd_send_signal sgetmask ssetmask`),
  ipc: words('msgget msgsnd msgrcv msgctl semget semop semtimedop semtimedop_time64 semctl shmget shmat shmdt shmctl ipc'),
  desc: words(`read write pread64 pwrite64 readv writev preadv pwritev preadv2 pwritev2 open openat openat2 creat close
    close_range dup dup2 dup3 pipe pipe2 fcntl fcntl64 ioctl lseek _llseek fstat fstat64 newfstatat fstatat64 statx
    fstatfs fstatfs64 fsync fdatasync ftruncate ftruncate64 fallocate fadvise64 fadvise64_64 arm_fadvise64_64
    fchdir fchmod fchmodat fchown fchown32 fchownat flock getdents getdents64 readdir poll ppoll ppoll_time64
    select _newselect pselect6 pselect6_time64 epoll_create epoll_create1 epoll_ctl epoll_wait epoll_pwait
    epoll_pwait2 eventfd eventfd2 signalfd signalfd4 timerfd_create timerfd_settime timerfd_gettime
    timerfd_settime64 timerfd_gettime64 inotify_init inotify_init1 inotify_add_watch inotify_rm_watch fanotify_init
    fanotify_mark memfd_create memfd_secret mmap mmap2 sendfile sendfile64 splice tee vmsplice copy_file_range
    sync_file_range sync_file_range2 syncfs readahead fgetxattr fsetxattr flistxattr fremovexattr faccessat
    faccessat2 mkdirat mknodat unlinkat renameat renameat2 linkat symlinkat readlinkat futimesat utimensat
    utimensat_time64 name_to_handle_at open_by_handle_at execveat pidfd_open pidfd_getfd userfaultfd
    perf_event_open bpf io_uring_setup io_uring_enter io_uring_register fsopen fsmount fspick open_tree move_mount
    mount_setattr fsconfig landlock_create_ruleset landlock_add_rule landlock_restrict_self process_madvise
    ${NETWORK.join(' ')}`),
  memory: words(`brk mmap mmap2 munmap mprotect mremap madvise mlock mlock2 munlock mlockall munlockall mincore
    msync remap_file_pages mbind get_mempolicy set_mempolicy set_mempolicy_home_node migrate_pages move_pages
    pkey_mprotect pkey_alloc pkey_free process_madvise shmat shmdt`),
  stat: words('stat stat64 oldstat'),
  lstat: words('lstat lstat64 oldlstat'),
  fstat: words('fstat fstat64 newfstatat fstatat64 oldfstat'),
  '%stat': words('stat stat64 oldstat lstat lstat64 oldlstat fstat fstat64 newfstatat fstatat64 oldfstat statx'),
  statfs: words('statfs statfs64'),
  fstatfs: words('fstatfs fstatfs64'),
  '%statfs': words('statfs statfs64 fstatfs fstatfs64 ustat'),
  clock: words(`clock_gettime clock_settime clock_getres clock_adjtime clock_nanosleep clock_gettime64
    clock_settime64 clock_getres_time64 clock_adjtime64 clock_nanosleep_time64 gettimeofday settimeofday adjtimex time`),
  creds: words(`getuid geteuid getgid getegid setuid setgid setreuid setregid setresuid setresgid getresuid
    getresgid setfsuid setfsgid getgroups setgroups capget capset prctl getuid32 geteuid32 getgid32 getegid32
    setuid32 setgid32 setreuid32 setregid32 setresuid32 setresgid32 getresuid32 getresgid32 setfsuid32 setfsgid32
    getgroups32 setgroups32`),
  pure: words('getpid getppid gettid getuid geteuid getgid getegid getpgrp sched_yield getuid32 geteuid32 getgid32 getegid32 sync pause'),
};

/**
 * The names of `-e trace=` items: plain names stay, `%class` becomes the class's calls the
 * table has (`has`). An unknown class is a usage error; unknown names are left to the caller.
 */
export function expandTraceSet(items: readonly string[], has: (name: string) => boolean): string[] {
  const out: string[] = [];
  for (const item of items) {
    if (!item.startsWith('%')) {
      out.push(item);
      continue;
    }
    const cls = CLASSES[item.slice(1)];
    if (!cls) throw new UserError('USAGE', `-e trace: unknown class '${item}' (known: ${Object.keys(CLASSES).map((k) => '%' + k).join(' ')})`);
    out.push(...cls.filter(has));
  }
  return [...new Set(out)];
}
