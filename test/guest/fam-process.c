/*
 * fam-process: process, identity, resource and time calls, for comparing systrace with
 * strace (test/integration/x86_64-strace.test.ts). Calls glibc would answer from the vDSO
 * (clock_gettime, gettimeofday, time) are made with syscall() so the kernel sees them.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/sysinfo.h>
#include <sys/time.h>
#include <sys/times.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void *worker(void *arg) {
  (void)arg;
  syscall(SYS_gettid);
  return NULL;
}

int main(void) {
  getpid();
  getppid();
  syscall(SYS_gettid);
  getuid();
  geteuid();
  getgid();
  getegid();
  getpgrp();
  getsid(0);
  setpgid(0, 0);
  struct utsname u;
  uname(&u);
  struct rlimit rl;
  getrlimit(RLIMIT_NOFILE, &rl);
  setrlimit(RLIMIT_CORE, &(struct rlimit){0, 0});
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  struct tms tm;
  times(&tm);
  prctl(PR_SET_NAME, "famproc");
  char name[16];
  prctl(PR_GET_NAME, name);
  prctl(PR_SET_DUMPABLE, 1);
  prctl(PR_GET_DUMPABLE);
  cpu_set_t cs;
  sched_getaffinity(0, sizeof cs, &cs);
  sched_yield();
  getpriority(PRIO_PROCESS, 0);
  setpriority(PRIO_PROCESS, 0, 0);
  struct timespec ts;
  syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &ts);
  syscall(SYS_clock_getres, CLOCK_REALTIME, &ts);
  struct timeval tv;
  syscall(SYS_gettimeofday, &tv, NULL);
  nanosleep(&(struct timespec){0, 1000}, NULL);
  clock_nanosleep(CLOCK_MONOTONIC, 0, &(struct timespec){0, 1000}, NULL);
  unsigned char rnd[4];
  getrandom(rnd, sizeof rnd, GRND_NONBLOCK);
  pid_t c = fork();
  if (c == 0) {
    getpid();
    _exit(3);
  }
  int st;
  wait4(c, &st, 0, NULL);
  c = vfork();
  if (c == 0) _exit(0);
  siginfo_t si;
  waitid(P_PID, c, &si, WEXITED);
  waitpid(-1, &st, WNOHANG);
  c = fork();
  if (c == 0) {
    execve("/nonexistent", (char *[]){"x", NULL}, (char *[]){NULL});
    _exit(127);
  }
  waitpid(c, &st, 0);
  syscall(SYS_nanosleep, &(struct timespec){0, 1000}, NULL);
  syscall(SYS_getrlimit, RLIMIT_STACK, &rl);
  syscall(SYS_setrlimit, RLIMIT_CORE, &rl);
  c = fork();
  if (c == 0) _exit(0);
  wait4(c, &st, 0, &ru);
  pthread_t th;
  pthread_create(&th, NULL, worker, NULL);
  pthread_join(th, NULL);
  kill(getpid(), 0);
  exit(0);
}
