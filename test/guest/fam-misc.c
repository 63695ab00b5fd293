/*
 * fam-misc: credentials, scheduling, SysV IPC, inotify, timers, xattrs, splice and friends,
 * for comparing systrace with strace (test/integration/x86_64-strace.test.ts).
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/inotify.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysinfo.h>
#include <sys/time.h>
#include <sys/xattr.h>
#include <time.h>
#include <unistd.h>

int main(void) {
  setuid(0);
  setgid(0);
  setreuid(-1, -1);
  setresuid(-1, -1, -1);
  uid_t r, e, s;
  getresuid(&r, &e, &s);
  gid_t gr, ge, gs;
  getresgid(&gr, &ge, &gs);
  getgroups(0, NULL);
  setgroups(0, NULL);
  getpgid(0);
  struct sysinfo si;
  sysinfo(&si);
  sched_getscheduler(0);
  struct sched_param sp;
  sched_getparam(0, &sp);
  sched_get_priority_max(SCHED_FIFO);
  sched_get_priority_min(SCHED_RR);
  cpu_set_t cs;
  CPU_ZERO(&cs);
  CPU_SET(0, &cs);
  sched_setaffinity(0, sizeof cs, &cs);
  mlockall(MCL_CURRENT);
  munlockall();
  sync();
  chroot("/");
  int fd = open("/tmp/misc.txt", O_RDWR | O_CREAT | O_TRUNC, 0600);
  fallocate(fd, 0, 0, 4096);
  sync_file_range(fd, 0, 0, SYNC_FILE_RANGE_WRITE);
  syncfs(fd);
  readahead(fd, 0, 4096);
  setxattr("/tmp/misc.txt", "trusted.a", "v1", 2, XATTR_CREATE);
  char xb[64];
  getxattr("/tmp/misc.txt", "trusted.a", xb, sizeof xb);
  listxattr("/tmp/misc.txt", xb, sizeof xb);
  removexattr("/tmp/misc.txt", "trusted.a");
  utimensat(AT_FDCWD, "/tmp/misc.txt", NULL, 0);
  mknodat(AT_FDCWD, "/tmp/misc.fifo", S_IFIFO | 0600, 0);
  unlink("/tmp/misc.fifo");
  int p[2];
  pipe(p);
  write(fd, "spliced!", 8);
  lseek(fd, 0, SEEK_SET);
  splice(fd, NULL, p[1], NULL, 8, SPLICE_F_MOVE);
  int q[2];
  pipe2(q, O_NONBLOCK);
  tee(p[0], q[1], 8, SPLICE_F_NONBLOCK);
  int out = open("/tmp/misc2.txt", O_WRONLY | O_CREAT, 0600);
  lseek(fd, 0, SEEK_SET);
  copy_file_range(fd, NULL, out, NULL, 8, 0);
  close(out);
  unlink("/tmp/misc2.txt");
  struct pollfd pf = {p[0], POLLIN, 0};
  struct timespec zero = {0, 0};
  ppoll(&pf, 1, &zero, NULL);
  fd_set rs;
  FD_ZERO(&rs);
  FD_SET(p[0], &rs);
  struct timeval tv = {0, 0};
  syscall(SYS_select, p[0] + 1, &rs, NULL, NULL, &tv);
  int in = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
  int wd = inotify_add_watch(in, "/tmp", IN_CREATE | IN_DELETE);
  inotify_rm_watch(in, wd);
  close(in);
  int ep = epoll_create(1);
  struct epoll_event ev = {.events = EPOLLIN | EPOLLET, .data.fd = p[0]};
  epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev);
  struct epoll_event evs[1];
  sigset_t none;
  sigemptyset(&none);
  epoll_pwait(ep, evs, 1, 0, &none);
  close(ep);
  timer_t tid;
  timer_create(CLOCK_MONOTONIC, NULL, &tid);
  struct itimerspec its = {{0, 0}, {30, 0}};
  timer_settime(tid, 0, &its, NULL);
  timer_gettime(tid, &its);
  timer_delete(tid);
  int sem = semget(IPC_PRIVATE, 1, IPC_CREAT | 0600);
  struct sembuf op = {0, 1, 0};
  semop(sem, &op, 1);
  semctl(sem, 0, IPC_RMID);
  int mq = msgget(IPC_PRIVATE, IPC_CREAT | 0600);
  struct { long mtype; char mtext[8]; } msg = {1, "hi"};
  msgsnd(mq, &msg, 2, 0);
  msgrcv(mq, &msg, sizeof msg.mtext, 0, IPC_NOWAIT);
  msgctl(mq, IPC_RMID, NULL);
  unsigned cpu;
  syscall(SYS_getcpu, &cpu, NULL, NULL);
  unshare(CLONE_NEWUTS);
  sethostname("misc", 4);
  int pfd = syscall(SYS_pidfd_open, getpid(), 0);
  syscall(SYS_pidfd_send_signal, pfd, 0, NULL, 0);
  close(pfd);
  close(p[0]);
  close(p[1]);
  close(q[0]);
  close(q[1]);
  close(fd);
  unlink("/tmp/misc.txt");
  setsid();
  return 0;
}
