/*
 * threads: the SMP test workload. NTHREADS threads start together (a barrier) and each makes
 * a fixed sequence of system calls whose results are its own (its tid, its file descriptor,
 * offsets no other thread uses), so a tracer that paired a return with the wrong thread's
 * entry would print a line this log does not have. The log is printed at the end, one line per
 * call in strace notation, tagged T<i>, between THREADS BEGIN and THREADS END.
 * Portable: libc's syscall(2) on every architecture.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>

#define NTHREADS 8
#define ROUNDS 6
#define LINES (ROUNDS + 3)

static char logbuf[NTHREADS][LINES][96];
static int nlines[NTHREADS];
static pthread_barrier_t start;

static void note(int t, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	if (nlines[t] < LINES)
		vsnprintf(logbuf[t][nlines[t]++], sizeof logbuf[t][0], fmt, ap);
	va_end(ap);
}

static void *worker(void *arg)
{
	int t = (int)(long)arg;
	pthread_barrier_wait(&start);
	long tid = syscall(SYS_gettid);
	note(t, "gettid() = %ld", tid);
	long fd = syscall(SYS_openat, AT_FDCWD, "/etc/hostname", O_RDONLY);
	note(t, "openat(AT_FDCWD, \"/etc/hostname\", O_RDONLY) = %ld", fd);
	for (int k = 0; k < ROUNDS; k++) {
		long off = 1000L * (t + 1) + k;
		long r = syscall(SYS_lseek, (int)fd, off, SEEK_SET);
		note(t, "lseek(%ld, %ld, SEEK_SET) = %ld", fd, off, r);
	}
	long r = syscall(SYS_close, (int)fd);
	note(t, "close(%ld) = %ld", fd, r);
	return NULL;
}

int main(void)
{
	pthread_t th[NTHREADS];
	pthread_barrier_init(&start, NULL, NTHREADS);
	for (long t = 0; t < NTHREADS; t++)
		pthread_create(&th[t], NULL, worker, (void *)t);
	for (int t = 0; t < NTHREADS; t++)
		pthread_join(th[t], NULL);
	printf("THREADS BEGIN pid=%d\n", getpid());
	for (int t = 0; t < NTHREADS; t++)
		for (int i = 0; i < nlines[t]; i++)
			printf("T%d %s\n", t, logbuf[t][i]);
	printf("THREADS END\n");
	return 0;
}
