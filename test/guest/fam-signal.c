/*
 * fam-signal: signal calls (sigaction, masks, kill/tgkill, a handler and its sigreturn,
 * timers, signalfd, sigaltstack) and the event descriptors, for comparing systrace with
 * strace (test/integration/x86_64-strace.test.ts).
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

static volatile int got;
static void handler(int sig) { got = sig; }

int main(void) {
  struct sigaction sa, old;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = handler;
  sigemptyset(&sa.sa_mask);
  sigaddset(&sa.sa_mask, SIGUSR2);
  sa.sa_flags = SA_RESTART;
  sigaction(SIGUSR1, &sa, &old);
  sa.sa_handler = SIG_IGN;
  sa.sa_flags = 0;
  sigaction(SIGPIPE, &sa, NULL);
  sigaction(SIGUSR1, NULL, &old);
  sigset_t set, prev;
  sigemptyset(&set);
  sigaddset(&set, SIGUSR2);
  sigaddset(&set, SIGCHLD);
  sigprocmask(SIG_BLOCK, &set, &prev);
  kill(getpid(), SIGUSR2);
  sigset_t pend;
  sigpending(&pend);
  struct timespec zero = {0, 0};
  sigtimedwait(&set, NULL, &zero);
  sigprocmask(SIG_SETMASK, &prev, NULL);
  kill(getpid(), SIGUSR1);
  syscall(SYS_tgkill, getpid(), syscall(SYS_gettid), SIGUSR1);
  stack_t ss = {.ss_sp = malloc(65536), .ss_size = 65536, .ss_flags = 0};
  sigaltstack(&ss, NULL);
  alarm(100);
  alarm(0);
  struct itimerval it = {{0, 0}, {10, 0}}, oit;
  setitimer(ITIMER_REAL, &it, &oit);
  getitimer(ITIMER_REAL, &oit);
  memset(&it, 0, sizeof it);
  setitimer(ITIMER_REAL, &it, NULL);
  sigprocmask(SIG_BLOCK, &set, NULL);
  int sfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
  int efd = eventfd(0, EFD_CLOEXEC);
  eventfd_write(efd, 7);
  int tfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC);
  struct itimerspec its = {{0, 0}, {5, 0}};
  timerfd_settime(tfd, 0, &its, NULL);
  timerfd_gettime(tfd, &its);
  int ep = epoll_create1(EPOLL_CLOEXEC);
  struct epoll_event ev = {.events = EPOLLIN, .data.u64 = 7};
  epoll_ctl(ep, EPOLL_CTL_ADD, efd, &ev);
  struct epoll_event out[2];
  epoll_wait(ep, out, 2, 0);
  close(ep);
  close(tfd);
  close(efd);
  close(sfd);
  syscall(SYS_rt_sigqueueinfo, getpid(), 0, &(siginfo_t){.si_signo = 0});
  return got == SIGUSR1 ? 0 : 1;
}
