/*
 * systest: the workload of the systrace test guest (x86_64, static).
 *
 * It makes a fixed sequence of system calls and then prints what it did, one call a line,
 * in the notation strace(1) uses, so that a tracer's output can be compared with it:
 *
 *   SYSTEST BEGIN pid=<pid>
 *   <tag> <strace line>        tag: main | thread | fchild | vchild
 *   ...
 *   SYSTEST END
 *
 * Every logged call is made with a raw `syscall` instruction (sc6 below), never through a
 * libc wrapper, so the arguments the kernel sees are exactly the ones logged. Not logged:
 * libc start-up, pthread_create/pthread_join (mmap, mprotect, clone3, rt_sigprocmask,
 * futex, the thread's own exit...) and the final printing with stdio (one write).
 *
 * Formatting follows strace's defaults (strace src/util.c string_quote, -s 32): integers
 * in decimal, pointers as 0x... or NULL, strings quoted with C escapes and cut to 32
 * bytes with "..." after the closing quote, errors as "-1 ENAME (strerror text)", and
 * "?" for calls that do not return.
 */
#define _GNU_SOURCE
#include <fcntl.h>          /* AT_FDCWD, O_* */
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>         /* strerror, strerrorname_np, sigabbrev_np (glibc >= 2.32) */
#include <sys/syscall.h>    /* SYS_* = arch/x86/entry/syscalls/syscall_64.tbl */
#include <sys/wait.h>       /* WIFEXITED & co. decode the wait4 status word */

/*
 * x86_64 syscall convention (syscall(2), "Architecture calling conventions"): number in
 * rax, arguments in rdi, rsi, rdx, r10, r8, r9; result in rax, -4095..-1 being -errno.
 * The `syscall` instruction puts the return rip in rcx and rflags in r11, so both are
 * clobbered; "memory" because the kernel reads and writes our buffers.
 */
static inline long sc6(long nr, long a1, long a2, long a3, long a4, long a5, long a6)
{
	register long r10 __asm__("r10") = a4;
	register long r8 __asm__("r8") = a5;
	register long r9 __asm__("r9") = a6;
	long ret;

	__asm__ volatile("syscall"
			 : "=a"(ret)
			 : "0"(nr), "D"(a1), "S"(a2), "d"(a3), "r"(r10), "r"(r8), "r"(r9)
			 : "rcx", "r11", "memory");
	return ret;
}

#define sc0(nr)             sc6((nr), 0, 0, 0, 0, 0, 0)
#define sc1(nr, a)          sc6((nr), (long)(a), 0, 0, 0, 0, 0)
#define sc3(nr, a, b, c)    sc6((nr), (long)(a), (long)(b), (long)(c), 0, 0, 0)
#define sc4(nr, a, b, c, d) sc6((nr), (long)(a), (long)(b), (long)(c), (long)(d), 0, 0)

/* ---- the log: kept in memory, printed at the end ---------------------------------- */

#define LOG_LINES 512
#define LINE_LEN 320
#define STRSIZE 32 /* strace -s default */

static char log_buf[LOG_LINES][LINE_LEN];
static unsigned log_len; /* reserved with an atomic add: two threads may log */

/* Appends "<tag> <call> = <result>" where result comes from the raw return value. */
static void __attribute__((format(printf, 3, 4)))
log_call(const char *tag, long ret, const char *fmt, ...)
{
	unsigned i = __atomic_fetch_add(&log_len, 1, __ATOMIC_RELAXED);
	char call[LINE_LEN - 64]; /* room for " = -1 ENAME (text)" */
	va_list ap;

	if (i >= LOG_LINES)
		return;
	va_start(ap, fmt);
	vsnprintf(call, sizeof call, fmt, ap);
	va_end(ap);
	if (ret < 0 && ret >= -4095) {
		int e = (int)-ret;
		const char *name = strerrorname_np(e);

		snprintf(log_buf[i], LINE_LEN, "%s %s = -1 %s (%s)", tag, call,
			 name ? name : "E???", strerror(e));
	} else {
		snprintf(log_buf[i], LINE_LEN, "%s %s = %ld", tag, call, ret);
	}
}

/* For calls that never return (exit_group): strace prints "= ?". */
static void log_noreturn(const char *tag, const char *call)
{
	unsigned i = __atomic_fetch_add(&log_len, 1, __ATOMIC_RELAXED);

	if (i < LOG_LINES)
		snprintf(log_buf[i], LINE_LEN, "%s %s = ?", tag, call);
}

/*
 * Quotes n bytes as strace's string_quote does: \" \\ \t \n \v \f \r by letter, other
 * bytes outside 0x20..0x7e in octal, with three digits when an octal digit follows (so
 * the escape cannot swallow it) and as few as possible otherwise. More than STRSIZE
 * bytes: the first STRSIZE, then "..." after the closing quote.
 */
static const char *quote(char *out, size_t outsz, const void *buf, size_t n)
{
	const unsigned char *s = buf;
	size_t cut = n > STRSIZE ? STRSIZE : n, o = 0;

	/* Worst case 4 bytes an input byte, plus quotes, "..." and NUL. */
	if (outsz < 4 * STRSIZE + 6)
		return "\"<quote buffer too small>\"";
	out[o++] = '"';
	for (size_t i = 0; i < cut; i++) {
		unsigned c = s[i];
		const char *esc = NULL;

		switch (c) {
		case '"':  esc = "\\\""; break;
		case '\\': esc = "\\\\"; break;
		case '\t': esc = "\\t"; break;
		case '\n': esc = "\\n"; break;
		case '\v': esc = "\\v"; break;
		case '\f': esc = "\\f"; break;
		case '\r': esc = "\\r"; break;
		}
		if (esc) {
			while (*esc)
				out[o++] = *esc++;
		} else if (c >= 0x20 && c < 0x7f) {
			out[o++] = (char)c;
		} else {
			int next_octal = i + 1 < cut && s[i + 1] >= '0' && s[i + 1] <= '7';

			out[o++] = '\\';
			if (next_octal || c >= 0100)
				out[o++] = (char)('0' + (c >> 6));
			if (next_octal || c >= 010)
				out[o++] = (char)('0' + ((c >> 3) & 7));
			out[o++] = (char)('0' + (c & 7));
		}
	}
	out[o++] = '"';
	if (n > cut) {
		memcpy(out + o, "...", 3);
		o += 3;
	}
	out[o] = '\0';
	return out;
}

/* A read buffer as strace shows it on return: the bytes read, or the address on error. */
static const char *read_buf(char *out, size_t outsz, const void *buf, long ret)
{
	if (ret < 0) {
		snprintf(out, outsz, "%p", buf);
		return out;
	}
	return quote(out, outsz, buf, (size_t)ret);
}

/* The wait4 status word, as strace's printstatus does. */
static const char *wait_status(char *out, size_t outsz, int s)
{
	if (WIFEXITED(s))
		snprintf(out, outsz, "[{WIFEXITED(s) && WEXITSTATUS(s) == %d}]", WEXITSTATUS(s));
	else if (WIFSIGNALED(s))
		snprintf(out, outsz, "[{WIFSIGNALED(s) && WTERMSIG(s) == SIG%s%s}]",
			 sigabbrev_np(WTERMSIG(s)) ? sigabbrev_np(WTERMSIG(s)) : "???",
			 WCOREDUMP(s) ? " && WCOREDUMP(s)" : "");
	else
		snprintf(out, outsz, "[%#x]", (unsigned)s);
	return out;
}

/* ---- the reader thread ------------------------------------------------------------ */

static long pipe_r;
static long thread_tid;         /* published (release) once the gettid line is logged */
static long thread_read_ret;    /* read back by main after pthread_join */
static char thread_read_buf[16];

static void *reader(void *arg)
{
	long tid = sc0(SYS_gettid);

	(void)arg;
	log_call("thread", tid, "gettid()");
	__atomic_store_n(&thread_tid, tid, __ATOMIC_RELEASE);
	/* Blocks until main writes: pipe(7), "I/O on pipes". */
	thread_read_ret = sc3(SYS_read, pipe_r, thread_read_buf, sizeof thread_read_buf);
	return NULL;
}

/* ---- main ------------------------------------------------------------------------- */

static void __attribute__((noreturn)) fail(const char *what)
{
	fprintf(stdout, "SYSTEST FAIL %s\n", what);
	fflush(stdout);
	sc1(SYS_exit_group, 1);
	__builtin_unreachable();
}

int main(void)
{
	static char outbuf[1 << 16];
	char q[4 * STRSIZE + 8], q2[64], buf[128];
	long pid, fd, r, w, ret, child;
	int fds[2], status;
	pthread_t th;

	/* Fully buffered with a static buffer: stdio makes no syscall before the final flush. */
	setvbuf(stdout, outbuf, _IOFBF, sizeof outbuf);

	/* 1. getpid(2) */
	pid = sc0(SYS_getpid);
	log_call("main", pid, "getpid()");

	/* 2-4. A file the build put into the initramfs: "systrace-guest\n". */
	fd = sc4(SYS_openat, AT_FDCWD, "/etc/hostname", O_RDONLY, 0);
	log_call("main", fd, "openat(AT_FDCWD, \"/etc/hostname\", O_RDONLY)");
	ret = sc3(SYS_read, fd, buf, 64);
	log_call("main", ret, "read(%ld, %s, 64)", fd, read_buf(q, sizeof q, buf, ret));
	ret = sc1(SYS_close, fd);
	log_call("main", ret, "close(%ld)", fd);

	/* 5. A failing call: path_openat() finds no "/nonexistent", -ENOENT. */
	ret = sc4(SYS_openat, AT_FDCWD, "/nonexistent/file", O_RDONLY, 0);
	log_call("main", ret, "openat(AT_FDCWD, \"/nonexistent/file\", O_RDONLY)");

	/* 6-8. Create and write a file; the mode argument is only shown with O_CREAT. */
	fd = sc4(SYS_openat, AT_FDCWD, "/tmp/systest.out", O_WRONLY | O_CREAT | O_TRUNC, 0644);
	log_call("main", fd, "openat(AT_FDCWD, \"/tmp/systest.out\", O_WRONLY|O_CREAT|O_TRUNC, 0644)");
	ret = sc3(SYS_write, fd, "hello from systest\n", 19);
	log_call("main", ret, "write(%ld, %s, 19)", fd, quote(q, sizeof q, "hello from systest\n", 19));
	ret = sc1(SYS_close, fd);
	log_call("main", ret, "close(%ld)", fd);

	/*
	 * 9. A number beyond the table (NR_syscalls is ~450 in 6.1): do_syscall_64 leaves
	 * -ENOSYS in rax. strace names unknown numbers syscall_0x<hex> and prints all six
	 * arguments in hex.
	 */
	ret = sc6(1000, 1, 2, 3, 4, 5, 6);
	log_call("main", ret, "syscall_0x3e8(0x1, 0x2, 0x3, 0x4, 0x5, 0x6)");

	/* 10. pipe2(2) with no flags. */
	ret = sc3(SYS_pipe2, fds, 0, 0);
	log_call("main", ret, "pipe2([%d, %d], 0)", fds[0], fds[1]);
	if (ret != 0)
		fail("pipe2");
	r = fds[0];
	w = fds[1];

	/*
	 * 11. A thread blocks in read(2) on the pipe; main writes only once it is sure the
	 * thread sleeps in that read. /proc/<pid>/task/<tid>/syscall (proc(5)) shows
	 * "<nr> <args...> <sp> <pc>" for a task blocked in a syscall, "-1 <sp> <pc>" for one
	 * stopped outside a syscall, and "running" while it runs (proc_pid_syscall ->
	 * task_current_syscall, which only reports on a task that is not running).
	 */
	pipe_r = r;
	if (pthread_create(&th, NULL, reader, NULL) != 0)
		fail("pthread_create");
	while (__atomic_load_n(&thread_tid, __ATOMIC_ACQUIRE) == 0)
		__asm__ volatile("pause"); /* no syscall: the thread has the other vCPU */
	for (int tries = 0;; tries++) {
		char path[64];
		long n;

		snprintf(path, sizeof path, "/proc/self/task/%ld/syscall", thread_tid);
		fd = sc4(SYS_openat, AT_FDCWD, path, O_RDONLY, 0);
		log_call("main", fd, "openat(AT_FDCWD, %s, O_RDONLY)", quote(q, sizeof q, path, strlen(path)));
		if (fd < 0)
			fail("open /proc/self/task/<tid>/syscall");
		n = sc3(SYS_read, fd, buf, sizeof buf);
		log_call("main", n, "read(%ld, %s, %zu)", fd, read_buf(q, sizeof q, buf, n), sizeof buf);
		ret = sc1(SYS_close, fd);
		log_call("main", ret, "close(%ld)", fd);
		if (n >= 2 && buf[0] == '0' && buf[1] == ' ') /* __NR_read == 0 */
			break;
		if (tries == 500)
			fail("reader thread never blocked in read");
		{
			struct { long tv_sec, tv_nsec; } ts = { 0, 20000000 };

			ret = sc3(SYS_nanosleep, &ts, NULL, 0);
			log_call("main", ret, "nanosleep({tv_sec=0, tv_nsec=20000000}, NULL)");
		}
	}
	ret = sc3(SYS_write, w, "ping", 4);
	log_call("main", ret, "write(%ld, \"ping\", 4)", w);
	pthread_join(th, NULL);
	/* Logged here, after the join, so that the order of the log does not race. */
	log_call("thread", thread_read_ret, "read(%ld, %s, %zu)", r,
		 read_buf(q, sizeof q, thread_read_buf, thread_read_ret), sizeof thread_read_buf);

	/*
	 * 12. fork(2) (syscall 57, not glibc's clone): the child leaves at once with status 7.
	 * Its own log would be lost with its copy of memory, so main writes its lines.
	 */
	child = sc0(SYS_fork);
	if (child == 0)
		sc1(SYS_exit_group, 7);
	log_call("main", child, "fork()");
	if (child < 0)
		fail("fork");
	log_call("fchild", 0, "fork()");
	log_noreturn("fchild", "exit_group(7)");
	status = 0;
	ret = sc4(SYS_wait4, child, &status, 0, NULL);
	log_call("main", ret, "wait4(%ld, %s, 0, NULL)", child, wait_status(q2, sizeof q2, status));

	/*
	 * 13. vfork(2) (syscall 58): the child runs on our stack while we are suspended
	 * until it exits or execs, so it must not touch memory. All in one asm block: the
	 * child sees rax == 0 and does exit_group(3) using registers only; the parent falls
	 * through with the child's pid in rax.
	 */
	__asm__ volatile("syscall\n\t"
			 "test %%rax, %%rax\n\t"
			 "jnz 1f\n\t"
			 "mov %[exit_group], %%eax\n\t"
			 "mov $3, %%edi\n\t"
			 "syscall\n"
			 "1:"
			 : "=a"(child)
			 : "0"((long)SYS_vfork), [exit_group] "i"(SYS_exit_group)
			 : "rcx", "r11", "rdi", "memory");
	log_call("main", child, "vfork()");
	if (child < 0)
		fail("vfork");
	log_call("vchild", 0, "vfork()");
	log_noreturn("vchild", "exit_group(3)");
	status = 0;
	ret = sc4(SYS_wait4, child, &status, 0, NULL);
	log_call("main", ret, "wait4(%ld, %s, 0, NULL)", child, wait_status(q2, sizeof q2, status));

	/* 14. The exit is logged before it happens; then the log goes out in one write. */
	log_noreturn("main", "exit_group(0)");
	printf("SYSTEST BEGIN pid=%ld\n", pid);
	for (unsigned i = 0; i < log_len && i < LOG_LINES; i++)
		printf("%s\n", log_buf[i]);
	if (log_len > LOG_LINES)
		printf("SYSTEST LOG OVERFLOW %u lines lost\n", log_len - LOG_LINES);
	printf("SYSTEST END\n");
	fflush(stdout);
	sc1(SYS_exit_group, 0);
	return 0;
}
