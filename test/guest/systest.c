/*
 * systest: the workload of the systrace test guests (static; x86_64, i386, armhf, arm64,
 * mipsel o32).
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
 * Other architectures: the same sequence and the same log format, with each arch's own
 * trap instruction (the "raw system call helpers" section) and its own numbers (SYS_* from
 * <sys/syscall.h>). Where a call does not exist on an arch, its nearest equivalent is made
 * and logged as strace prints it there:
 *
 *   step                x86_64, i386, armhf     arm64                          mipsel o32
 *   fork               fork()                  clone(child_stack=NULL,        fork()
 *                                                flags=SIGCHLD)
 *   vfork              vfork()                 clone(child_stack=NULL,        (same as arm64)
 *                                                flags=CLONE_VM|CLONE_VFORK|SIGCHLD)
 *   unknown number     syscall_0x3e8(0x1, 0x2, 0x3, 0x4, 0x5, 0x6)           syscall_0x1f40(0x1,
 *                      (1000 is past every table)                             ..., 0x6, 0x7)
 *
 * mipsel: strace's o32 table also names 0-3999 (SVR4/SysV/BSD compat) and 5000-6999 (n64
 * and n32 as "n64:read"...), so the unknown number is 8000 (8000 - 4000 is past the o32
 * table: ENOSYS); strace prints 7 arguments for an unknown o32 call (MAX_ARGS), the 7th
 * from sp+24, so the call puts 0x5..0x8 at sp+16..sp+28.
 *
 * Two entry paths on i386 and armhf, chosen per call site (sc6_alt): the reader thread's
 * calls (gettid, the blocking read) use the alternative one, all other calls the default.
 * i386: default __kernel_vsyscall (the vDSO, `sysenter` on a native 32-bit kernel, as glibc
 * does), alternative `int $0x80`, which the vfork block (vfork, the child's exit_group)
 * uses too: the vDSO returns through the stack that the vfork child shares. armhf: default
 * Thumb-2 (the whole program is built -mthumb, so return sites are Thumb), alternative an
 * ARM-mode helper (the thread's gettid and read return to ARM code). Elsewhere sc6_alt is
 * sc6.
 *
 * Formatting follows strace's defaults (strace src/util.c string_quote, -s 32): integers
 * in decimal, pointers as 0x... or NULL, strings quoted with C escapes and cut to 32
 * bytes with "..." after the closing quote, errors as "-1 ENAME (strerror text)", and
 * "?" for calls that do not return.
 */
#define _GNU_SOURCE
#include <fcntl.h>          /* AT_FDCWD, O_* */
#include <pthread.h>
#include <sched.h>          /* CLONE_VM, CLONE_VFORK (clone stands in for vfork on arm64, mips) */
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>         /* strerror, strerrorname_np, sigabbrev_np (glibc >= 2.32) */
#include <sys/syscall.h>    /* SYS_* = arch/x86/entry/syscalls/syscall_64.tbl (per arch) */
#include <sys/wait.h>       /* WIFEXITED & co. decode the wait4 status word */

/* ---- raw system call helpers, one set per arch ----------------------------------- */

#if defined(__x86_64__)

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

#define sc6_alt sc6

/* vfork, and in the child exit_group(3): see step 13 in main. */
static inline __attribute__((always_inline)) long vfork_exit3(void)
{
	long child;

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
	return child;
}

#define cpu_relax() __asm__ volatile("pause")

#elif defined(__i386__)

#include <sys/auxv.h>       /* getauxval(AT_SYSINFO) */

/*
 * i386 (syscall(2)): number in eax, arguments in ebx, ecx, edx, esi, edi, ebp; result in
 * eax, -4095..-1 being -errno. ebp cannot be named in an asm constraint (and ebx may be
 * the PIC register), so both helpers are small cdecl functions in assembly that load all
 * seven registers from their stack arguments and restore the callee-saved ones:
 *
 *   systest_int80     `int $0x80`                          -> entry_INT80_32
 *   systest_vsyscall  `call *systest_vsyscall_entry`, i.e. the vDSO's __kernel_vsyscall
 *                     (AT_SYSINFO), which pushes ecx, edx and ebp, copies esp to ebp and
 *                     executes `sysenter`               -> entry_SYSENTER_32; the kernel
 *                     reads the 6th argument back from the user stack at [ebp] and
 *                     returns into the vDSO, which pops the three registers and returns.
 */
long systest_int80(long nr, long a1, long a2, long a3, long a4, long a5, long a6);
long systest_vsyscall(long nr, long a1, long a2, long a3, long a4, long a5, long a6);
unsigned long systest_vsyscall_entry; /* set in main from getauxval(AT_SYSINFO) */

#define I386_RAW_SYSCALL(name, trap)                                            \
	"\t.text\n\t.p2align 4\n\t.globl " name "\n\t.type " name ", @function\n" \
	name ":\n\t"                                                            \
	"push %ebp\n\tpush %edi\n\tpush %esi\n\tpush %ebx\n\t"                  \
	"mov 20(%esp), %eax\n\tmov 24(%esp), %ebx\n\tmov 28(%esp), %ecx\n\t"      \
	"mov 32(%esp), %edx\n\tmov 36(%esp), %esi\n\tmov 40(%esp), %edi\n\t"      \
	"mov 44(%esp), %ebp\n\t" trap "\n\t"                                     \
	"pop %ebx\n\tpop %esi\n\tpop %edi\n\tpop %ebp\n\tret\n\t"                \
	".size " name ", .-" name "\n"
__asm__(I386_RAW_SYSCALL("systest_int80", "int $0x80"));
__asm__(I386_RAW_SYSCALL("systest_vsyscall", "call *systest_vsyscall_entry"));

#define sc6 systest_vsyscall
#define sc6_alt systest_int80

/* vfork with int $0x80 (the child must not return through the vDSO: shared stack). */
static inline __attribute__((always_inline)) long vfork_exit3(void)
{
	long child;

	__asm__ volatile("int $0x80\n\t"
			 "test %%eax, %%eax\n\t"
			 "jnz 1f\n\t"
			 "mov %[exit_group], %%eax\n\t"
			 "mov $3, %%ebx\n\t"
			 "int $0x80\n"
			 "1:"
			 : "=a"(child)
			 : "0"((long)SYS_vfork), [exit_group] "i"(SYS_exit_group)
			 : "ebx", "memory");
	return child;
}

#define cpu_relax() __asm__ volatile("pause")

#elif defined(__arm__)

/*
 * armhf, EABI (syscall(2)): `svc 0`, number in r7, arguments in r0-r5, result in r0,
 * -4095..-1 being -errno. The program is built Thumb-2 (-mthumb, Debian's default too),
 * where r7 would be the frame pointer: fine at -O1, which omits it. sc6_arm is the same
 * call compiled as ARM code (target("arm"), noinline: its svc returns to an ARM
 * instruction, CPSR.T clear).
 */
#define ARM_SVC_BODY                                                                  \
	register long r0 __asm__("r0") = a1;                                          \
	register long r1 __asm__("r1") = a2;                                          \
	register long r2 __asm__("r2") = a3;                                          \
	register long r3 __asm__("r3") = a4;                                          \
	register long r4 __asm__("r4") = a5;                                          \
	register long r5 __asm__("r5") = a6;                                          \
	register long r7 __asm__("r7") = nr;                                          \
	__asm__ volatile("svc 0"                                                      \
			 : "+r"(r0)                                                   \
			 : "r"(r7), "r"(r1), "r"(r2), "r"(r3), "r"(r4), "r"(r5)       \
			 : "memory");                                                 \
	return r0

static inline long sc6(long nr, long a1, long a2, long a3, long a4, long a5, long a6)
{
	ARM_SVC_BODY;
}

static long __attribute__((noinline, target("arm")))
sc6_arm(long nr, long a1, long a2, long a3, long a4, long a5, long a6)
{
	ARM_SVC_BODY;
}

#define sc6_alt sc6_arm

static inline __attribute__((always_inline)) long vfork_exit3(void)
{
	register long r0 __asm__("r0");
	register long r7 __asm__("r7") = SYS_vfork;

	__asm__ volatile("svc 0\n\t"
			 "cmp r0, #0\n\t"
			 "bne 1f\n\t"
			 "mov r7, %[exit_group]\n\t"
			 "mov r0, #3\n\t"
			 "svc 0\n"
			 "1:"
			 : "=r"(r0), "+r"(r7)
			 : [exit_group] "i"(SYS_exit_group)
			 : "cc", "memory");
	return r0;
}

#define cpu_relax() __asm__ volatile("yield")

#elif defined(__aarch64__)

/*
 * arm64 (syscall(2)): `svc #0`, number in x8, arguments in x0-x5, result in x0,
 * -4095..-1 being -errno. There is no fork or vfork: clone(2) with the generic argument
 * order (flags, stack, parent_tid, child_tid, tls) stands in for both.
 */
static inline long sc6(long nr, long a1, long a2, long a3, long a4, long a5, long a6)
{
	register long x0 __asm__("x0") = a1;
	register long x1 __asm__("x1") = a2;
	register long x2 __asm__("x2") = a3;
	register long x3 __asm__("x3") = a4;
	register long x4 __asm__("x4") = a5;
	register long x5 __asm__("x5") = a6;
	register long x8 __asm__("x8") = nr;

	__asm__ volatile("svc #0"
			 : "+r"(x0)
			 : "r"(x8), "r"(x1), "r"(x2), "r"(x3), "r"(x4), "r"(x5)
			 : "memory");
	return x0;
}

#define sc6_alt sc6

/* clone(CLONE_VM|CLONE_VFORK|SIGCHLD, NULL, ...), and in the child exit_group(3). */
static inline __attribute__((always_inline)) long vfork_exit3(void)
{
	register long x0 __asm__("x0") = CLONE_VM | CLONE_VFORK | SIGCHLD;
	register long x1 __asm__("x1") = 0;
	register long x2 __asm__("x2") = 0;
	register long x3 __asm__("x3") = 0;
	register long x4 __asm__("x4") = 0;
	register long x8 __asm__("x8") = SYS_clone;

	__asm__ volatile("svc #0\n\t"
			 "cbnz x0, 1f\n\t"
			 "mov x8, %[exit_group]\n\t"
			 "mov x0, #3\n\t"
			 "svc #0\n"
			 "1:"
			 : "+r"(x0), "+r"(x8)
			 : "r"(x1), "r"(x2), "r"(x3), "r"(x4), [exit_group] "i"(SYS_exit_group)
			 : "memory");
	return x0;
}

#define cpu_relax() __asm__ volatile("yield")

#elif defined(__mips__) && defined(_ABIO32) && _MIPS_SIM == _ABIO32

/*
 * mips o32 (syscall(2)): `syscall`, number in v0 (4000 + n), arguments 1-4 in a0-a3 and
 * 5-8 on the user stack at sp+16..sp+28 (the kernel's handle_sys always copies all four);
 * result in v0 with a3 = 0, or the positive errno in v0 with a3 = 1. The kernel may
 * change at, v1, t0-t9, hi and lo (glibc's list). No vfork: clone stands in (argument
 * order flags, stack, parent_tid, tls, child_tid).
 */
#define MIPS_SYSCALL_CLOBBERS \
	"$1", "$3", "$8", "$9", "$10", "$11", "$12", "$13", "$14", "$15", "$24", "$25", "hi", "lo", "memory"

static inline long sc8(long nr, long a1, long a2, long a3, long a4, long a5, long a6, long a7,
		       long a8)
{
	register long v0 __asm__("$2") = nr;
	register long r4 __asm__("$4") = a1;
	register long r5 __asm__("$5") = a2;
	register long r6 __asm__("$6") = a3;
	register long r7 __asm__("$7") = a4;

	__asm__ volatile("addiu $sp, $sp, -32\n\t"
			 "sw %[a5], 16($sp)\n\t"
			 "sw %[a6], 20($sp)\n\t"
			 "sw %[a7], 24($sp)\n\t"
			 "sw %[a8], 28($sp)\n\t"
			 "syscall\n\t"
			 "addiu $sp, $sp, 32"
			 : "+r"(v0), "+r"(r7)
			 : "r"(r4), "r"(r5), "r"(r6), [a5] "r"(a5), [a6] "r"(a6), [a7] "r"(a7),
			   [a8] "r"(a8)
			 : MIPS_SYSCALL_CLOBBERS);
	return r7 ? -v0 : v0;
}

#define sc6(nr, a1, a2, a3, a4, a5, a6) sc8((nr), (a1), (a2), (a3), (a4), (a5), (a6), 0, 0)
#define sc6_alt sc6

/* clone(CLONE_VM|CLONE_VFORK|SIGCHLD, NULL, NULL, NULL, NULL), in the child exit_group(3). */
static inline __attribute__((always_inline)) long vfork_exit3(void)
{
	register long v0 __asm__("$2") = SYS_clone;
	register long r4 __asm__("$4") = CLONE_VM | CLONE_VFORK | SIGCHLD;
	register long r5 __asm__("$5") = 0;
	register long r6 __asm__("$6") = 0;
	register long r7 __asm__("$7") = 0;

	__asm__ volatile(".set push\n\t"
			 ".set noreorder\n\t"
			 "addiu $sp, $sp, -32\n\t"
			 "sw $0, 16($sp)\n\t"
			 "sw $0, 20($sp)\n\t"
			 "sw $0, 24($sp)\n\t"
			 "sw $0, 28($sp)\n\t"
			 "syscall\n\t"
			 "bnez $2, 1f\n\t"
			 "nop\n\t"
			 "li $2, %[exit_group]\n\t"
			 "li $4, 3\n\t"
			 "syscall\n"
			 "1:\n\t"
			 "addiu $sp, $sp, 32\n\t"
			 ".set pop"
			 : "+r"(v0), "+r"(r4), "+r"(r7)
			 : "r"(r5), "r"(r6), [exit_group] "i"(SYS_exit_group)
			 : MIPS_SYSCALL_CLOBBERS);
	return r7 ? -v0 : v0;
}

#define cpu_relax() __asm__ volatile("" ::: "memory")

#else
#error "systest: no raw system call helper for this architecture"
#endif

/*
 * Calls that differ between arches (see the table at the top): the unknown number and
 * how strace shows it, and what stands in for fork and vfork where they do not exist.
 */
#if defined(__mips__)
#define UNKNOWN_NR 8000L
#define UNKNOWN_CALL() sc8(UNKNOWN_NR, 1, 2, 3, 4, 5, 6, 7, 8)
#define UNKNOWN_ARGS "(0x1, 0x2, 0x3, 0x4, 0x5, 0x6, 0x7)"
#else
#define UNKNOWN_NR 1000L
#define UNKNOWN_CALL() sc6(UNKNOWN_NR, 1, 2, 3, 4, 5, 6)
#define UNKNOWN_ARGS "(0x1, 0x2, 0x3, 0x4, 0x5, 0x6)"
#endif

#ifdef SYS_fork
#define FORK_CALL() sc6(SYS_fork, 0, 0, 0, 0, 0, 0)
#define FORK_NAME "fork()"
#else
#define FORK_CALL() sc6(SYS_clone, SIGCHLD, 0, 0, 0, 0, 0)
#define FORK_NAME "clone(child_stack=NULL, flags=SIGCHLD)"
#endif

#ifdef SYS_vfork
#define VFORK_NAME "vfork()"
#else
#define VFORK_NAME "clone(child_stack=NULL, flags=CLONE_VM|CLONE_VFORK|SIGCHLD)"
#endif

#define sc0(nr)             sc6((nr), 0, 0, 0, 0, 0, 0)
#define sc1(nr, a)          sc6((nr), (long)(a), 0, 0, 0, 0, 0)
#define sc3(nr, a, b, c)    sc6((nr), (long)(a), (long)(b), (long)(c), 0, 0, 0)
#define sc4(nr, a, b, c, d) sc6((nr), (long)(a), (long)(b), (long)(c), (long)(d), 0, 0)
#define sc0_alt(nr)          sc6_alt((nr), 0, 0, 0, 0, 0, 0)
#define sc3_alt(nr, a, b, c) sc6_alt((nr), (long)(a), (long)(b), (long)(c), 0, 0, 0)

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
	long tid = sc0_alt(SYS_gettid);

	(void)arg;
	log_call("thread", tid, "gettid()");
	__atomic_store_n(&thread_tid, tid, __ATOMIC_RELEASE);
	/* Blocks until main writes: pipe(7), "I/O on pipes". */
	thread_read_ret = sc3_alt(SYS_read, pipe_r, thread_read_buf, sizeof thread_read_buf);
	return NULL;
}

/* ---- main ------------------------------------------------------------------------- */

#if defined(__arm__)
/* Step 13b (armhf): the handlers only count; what is traced is the way back (sigreturn). */
static volatile int signals_seen;

static void on_siginfo(int sig, siginfo_t *si, void *uc)
{
	(void)si;
	(void)uc;
	signals_seen += sig;
}

static void on_signal(int sig)
{
	signals_seen += sig;
}
#endif

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
#if defined(__i386__)
	/* The vDSO's __kernel_vsyscall, for sc6 (no syscall: the aux vector is in memory). */
	systest_vsyscall_entry = getauxval(AT_SYSINFO);
	if (systest_vsyscall_entry == 0) {
		printf("SYSTEST FAIL no AT_SYSINFO (vDSO)\n");
		fflush(stdout);
		return 1;
	}
	/*
	 * Which instruction the kernel patched into __kernel_vsyscall after its three pushes
	 * (arch/x86/entry/vdso/vdso32/system_call.S): "movl %esp, %ebp; sysenter" (89 e5 0f 34),
	 * "movl %ecx, %ebp; syscall" (89 cd 0f 05, AMD on a 64-bit kernel), or none (int $0x80).
	 * Printed first (stdio is buffered: no syscall now) for the tests to check the path.
	 */
	{
		const unsigned char *k = (const unsigned char *)systest_vsyscall_entry;
		const char *how = "int80";

		for (int i = 3; i + 1 < 16; i++) {
			if (k[i] == 0x0f && k[i + 1] == 0x34) { how = "sysenter"; break; }
			if (k[i] == 0x0f && k[i + 1] == 0x05) { how = "syscall"; break; }
			if (k[i] == 0xcd && k[i + 1] == 0x80) break;
		}
		printf("SYSTEST VSYSCALL %s\n", how);
	}
#endif

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
	 * arguments in hex. (Other arches: UNKNOWN_* above; ENOSYS everywhere.)
	 */
	ret = UNKNOWN_CALL();
	log_call("main", ret, "syscall_%#lx" UNKNOWN_ARGS, UNKNOWN_NR);

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
		cpu_relax(); /* no syscall: the thread has the other vCPU */
	for (int tries = 0;; tries++) {
		char path[64], blocked[24];
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
		/* "<SYS_read> ...": 0 on x86_64, 3 on i386 and armhf, 63 on arm64, 4003 on mips. */
		snprintf(blocked, sizeof blocked, "%ld ", (long)SYS_read);
		if (n >= (long)strlen(blocked) && memcmp(buf, blocked, strlen(blocked)) == 0)
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
	child = FORK_CALL();
	if (child == 0)
		sc1(SYS_exit_group, 7);
	log_call("main", child, FORK_NAME);
	if (child < 0)
		fail("fork");
	log_call("fchild", 0, FORK_NAME);
	log_noreturn("fchild", "exit_group(7)");
	status = 0;
	ret = sc4(SYS_wait4, child, &status, 0, NULL);
	log_call("main", ret, "wait4(%ld, %s, 0, NULL)", child, wait_status(q2, sizeof q2, status));

	/*
	 * 13. vfork(2) (syscall 58): the child runs on our stack while we are suspended
	 * until it exits or execs, so it must not touch memory. All in one asm block
	 * (vfork_exit3, per arch): the child sees rax == 0 and does exit_group(3) using
	 * registers only; the parent falls through with the child's pid in rax.
	 */
	child = vfork_exit3();
	log_call("main", child, VFORK_NAME);
	if (child < 0)
		fail("vfork");
	log_call("vchild", 0, VFORK_NAME);
	log_noreturn("vchild", "exit_group(3)");
	status = 0;
	ret = sc4(SYS_wait4, child, &status, 0, NULL);
	log_call("main", ret, "wait4(%ld, %s, 0, NULL)", child, wait_status(q2, sizeof q2, status));

#if defined(__arm__)
	/*
	 * 13b. armhf only: ARM has two signal returns, rt_sigreturn (173) and the old sigreturn
	 * (119), frames of different layouts (arch/arm/kernel/signal.c). glibc's sigaction (not
	 * logged, nor its sigprocmask) gives an SA_SIGINFO handler the restorer that makes
	 * rt_sigreturn, a plain handler the one that makes sigreturn. Each raw kill(2) to
	 * ourselves runs the handler on the way out of kill; its sigreturn, complete at entry,
	 * restores the mask blocked before (HUP and WINCH) and kill's result in r0, then kill
	 * returns: strace shows the sigreturn line before kill's.
	 */
	{
		struct sigaction sa;
		sigset_t blocked;

		memset(&sa, 0, sizeof sa);
		sa.sa_sigaction = on_siginfo;
		sa.sa_flags = SA_SIGINFO;
		if (sigaction(SIGUSR1, &sa, NULL) != 0)
			fail("sigaction");
		memset(&sa, 0, sizeof sa);
		sa.sa_handler = on_signal;
		if (sigaction(SIGUSR2, &sa, NULL) != 0)
			fail("sigaction");
		sigemptyset(&blocked);
		sigaddset(&blocked, SIGHUP);
		sigaddset(&blocked, SIGWINCH);
		sigprocmask(SIG_BLOCK, &blocked, NULL);
		ret = sc3(SYS_kill, pid, SIGUSR1, 0);
		log_call("main", ret, "rt_sigreturn({mask=[HUP WINCH]})");
		log_call("main", ret, "kill(%ld, SIGUSR1)", pid);
		ret = sc3(SYS_kill, pid, SIGUSR2, 0);
		log_call("main", ret, "sigreturn({mask=[HUP WINCH]})");
		log_call("main", ret, "kill(%ld, SIGUSR2)", pid);
		sigprocmask(SIG_UNBLOCK, &blocked, NULL);
		if (signals_seen != SIGUSR1 + SIGUSR2)
			fail("signal handlers");
	}
#endif

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
