/*
 * The probe engine's in-guest recorder (x86_64 Linux 6.1), see docs/probe.md.
 *
 * Built by scripts/build-recorder.sh into src/probe/recorder-bytes.ts (the bytes are
 * committed: users need no compiler). The blob is position independent: code at offset 0,
 * the control block `ctrl` at 0x1000 (placed by the linker script), rings after it.
 *
 * Three hooks (src/probe/hooks.S) call record() and then jump where the patched call went:
 *   type 1 (enter)  from entry_SYSCALL_64's `call do_syscall_64`: user registers as passed;
 *   type 2 (return) from do_syscall_64's call of syscall_exit_to_user_mode: regs->ax is the
 *                   return value (before any signal frame rewrites the registers);
 *   type 3 (child)  from ret_from_fork's call of syscall_exit_to_user_mode: a new task's
 *                   first return to user space (fork/clone children return 0 there).
 * Per-CPU rings, written with interrupts off; the head moves only after a record is whole,
 * so the debugger (which reads while every vCPU is stopped) never sees half a record.
 */
typedef unsigned long u64;
typedef unsigned int u32;
typedef unsigned short u16;
typedef unsigned char u8;

#define MAX_CPUS 64
#define NR_MAX 512
#define SEEN_SLOTS 128

/* A capture descriptor (one per argument): see src/probe/layout.ts, which must agree. */
#define D_MAXLEN(d) ((d) & 0xffffu)
#define D_ARG(d) (((d) >> 16) & 7u)
#define D_KIND(d) (((d) >> 19) & 3u) /* 1 fixed, 2 string, 3 counted */
#define D_SRC(d) (((d) >> 21) & 7u)  /* counted: 0-5 an argument, 7 the return value */
#define D_WHEN(d) (((d) >> 24) & 3u) /* 1 enter, 2 return */
#define F_LIVE_ENTER 1u
#define F_LIVE_RETURN 2u

struct pt_regs_x64 {
	u64 r15, r14, r13, r12, bp, bx, r11, r10, r9, r8, ax, cx, dx, si, di, orig_ax, ip, cs, flags, sp, ss;
};

struct cpu_ring { u64 head, tail, lost, records; };
struct spec { u32 flags; u32 desc[6]; u32 pad; };

struct ctrl {
	u64 enabled;         /* 0x00 */
	u64 ring_size;       /* 0x08: a power of two */
	u64 ncpus;           /* 0x10 */
	u64 cpu_number;      /* 0x18: per-CPU offset of cpu_number */
	u64 do_syscall_64;   /* 0x20: where the hooks go on */
	u64 exit_to_user;    /* 0x28: syscall_exit_to_user_mode */
	long (*copy_nofault)(void *dst, const void *src, u64 size);      /* 0x30 */
	long (*strncpy_nofault)(char *dst, const void *src, long count); /* 0x38 */
	u64 rings;           /* 0x40: address of CPU 0's ring */
	u64 high_water;      /* 0x48: bytes in a ring above which the full doorbell rings */
	u64 current_task;    /* 0x50: per-CPU offset of current_task */
	u64 task_pid;        /* 0x58: offsets in task_struct (from BTF); 0: not named */
	u64 task_tgid;       /* 0x60 */
	u64 task_comm;       /* 0x68 */
	u64 task_parent;     /* 0x70: real_parent */
	u64 pad[17];         /* to 0x100 */
	struct cpu_ring cpu[MAX_CPUS]; /* 0x100 */
	/*
	 * 0x900: pt_regs of calls whose entry was recorded, by kernel stack (THREAD_SIZE is
	 * 16 KiB): their return leaves the arguments out. A collision or a race between CPUs
	 * only ever makes a return carry them when it need not.
	 */
	u64 seen[SEEN_SLOTS];
	u64 pad2[224 - SEEN_SLOTS]; /* to 0x1000 */
	struct spec table[NR_MAX];     /* 0x1000 */
};

/*
 * A record: this header, then words (enter: tsc regs cr3 nr ip sp and the six arguments;
 * return and child: tsc regs cr3 nr ax ip sp, and the six arguments with REC_ARGS), then, with REC_PROC, the caller (struct
 * proc), then `ncap` captures, each a struct cap and its bytes padded to 8.
 */
struct rec {
	u32 len;
	u16 type;
	u16 flags;
	u32 cpu;
	u32 ncap;
};
#define REC_LIVE 1
#define REC_PROC 2
#define REC_ARGS 4 /* a return or child record with the six arguments */
#define ENTER_WORDS 12
#define EXIT_WORDS 7
/* task_struct pid, tgid, real_parent->tgid, comm. */
struct proc { int pid, tgid, ppid, pad; char comm[16]; };
struct cap { u64 addr; u32 len; u8 arg; u8 status; u16 pad; };
#define CAP_OK 1
#define CAP_STR 2      /* a string, NUL found (not stored) */
#define CAP_STR_CUT 3  /* a string longer than the capture */
#define CAP_FAULT 4

extern struct ctrl ctrl __attribute__((visibility("hidden")));
void doorbell_full(void);
void doorbell_live(void);

static inline u64 align8(u64 n) { return (n + 7) & ~7ul; }

/* Whether descriptor d is captured now: `when` 1 at entry, 2 at return. */
static inline int wanted(u32 d, u32 when, int again)
{
	if (!d || !(D_WHEN(d) & when))
		return 0;
	return when == 1 || !(D_WHEN(d) & 1) || again;
}

__attribute__((used, visibility("hidden"))) void record(struct pt_regs_x64 *regs, u32 type)
{
	u64 fl, lo, hi, cr3, task;
	u32 cpu;
	__asm__ volatile("pushfq; popq %0; cli" : "=r"(fl) : : "memory");
	if (!ctrl.enabled)
		goto out;
	__asm__ volatile("movl %%gs:(%1), %0" : "=r"(cpu) : "r"(ctrl.cpu_number));
	if (cpu >= ctrl.ncpus || cpu >= MAX_CPUS)
		goto out;
	struct cpu_ring *r = &ctrl.cpu[cpu];
	u64 nr = regs->orig_ax;
	struct spec *sp = type != 3 && nr < NR_MAX ? &ctrl.table[nr] : 0;
	u32 when = type == 1 ? 1 : 2;
	int named = ctrl.task_tgid != 0;
	/* Bit 0 of a mark: a capture of that entry faulted (a page not faulted in yet). */
	u64 *seen = &ctrl.seen[((u64)regs >> 14) % SEEN_SLOTS];
	u64 mark = *seen;
	int entry_seen = (mark & ~1ul) == (u64)regs;
	int with_args = type == 2 && !entry_seen;
	/* At return, what the entry captured is captured again only if it faulted or is not here. */
	int again = !entry_seen || (mark & 1);
	if (type == 2 && entry_seen)
		*seen = 0;
	u64 words = type == 1 ? ENTER_WORDS : EXIT_WORDS + (with_args ? 6 : 0);
	u64 need = sizeof(struct rec) + 8 * words + (named ? sizeof(struct proc) : 0);
	u64 args[6] = { regs->di, regs->si, regs->dx, regs->r10, regs->r8, regs->r9 };
	if (sp) {
		for (int i = 0; i < 6; i++) {
			u32 d = sp->desc[i];
			if (wanted(d, when, again))
				need += sizeof(struct cap) + align8(D_MAXLEN(d));
		}
	}
	u64 size = ctrl.ring_size;
	u64 used = r->head - r->tail;
	u64 pos = r->head & (size - 1);
	u64 pad = pos + need > size ? size - pos : 0;
	if (used + pad + need > size) {
		r->lost++;
		goto out;
	}
	u8 *ring = (u8 *)(ctrl.rings + cpu * size);
	if (pad) {
		struct rec *p = (struct rec *)(ring + pos);
		p->len = (u32)pad;
		p->type = 0;
		pos = 0;
	}
	struct rec *rec = (struct rec *)(ring + pos);
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	__asm__ volatile("movq %%cr3, %0" : "=r"(cr3));
	__asm__ volatile("movq %%gs:(%1), %0" : "=r"(task) : "r"(ctrl.current_task));
	rec->type = (u16)type;
	rec->flags = (named ? REC_PROC : 0) | (with_args ? REC_ARGS : 0);
	rec->cpu = cpu;
	u64 *q = (u64 *)(rec + 1);
	*q++ = (hi << 32) | (lo & 0xffffffffu);
	*q++ = (u64)regs;
	*q++ = cr3;
	*q++ = nr;
	if (type != 1)
		*q++ = regs->ax;
	*q++ = regs->ip;
	*q++ = regs->sp;
	/* A return whose entry was not recorded (it predates the probe) carries them. */
	if (type == 1 || with_args)
		for (int i = 0; i < 6; i++)
			*q++ = args[i];
	if (named) {
		struct proc *pr = (struct proc *)q;
		pr->pid = pr->tgid = pr->ppid = pr->pad = 0;
		for (int i = 0; i < 16; i++)
			pr->comm[i] = 0;
		if ((task >> 47) == 0x1ffff) {
			/* current is ours to read; real_parent under RCU (interrupts are off). */
			const u8 *t = (const u8 *)task;
			u64 parent = *(const u64 *)(t + ctrl.task_parent);
			pr->pid = *(const int *)(t + ctrl.task_pid);
			pr->tgid = *(const int *)(t + ctrl.task_tgid);
			if ((parent >> 47) == 0x1ffff)
				pr->ppid = *(const int *)((const u8 *)parent + ctrl.task_tgid);
			for (int i = 0; i < 16; i++)
				pr->comm[i] = (char)t[ctrl.task_comm + i];
		}
		q = (u64 *)(pr + 1);
	}
	u8 *w = (u8 *)q;
	u32 ncap = 0;
	u64 faulted = 0;
	if (sp) {
		for (int i = 0; i < 6; i++) {
			u32 d = sp->desc[i];
			if (!wanted(d, when, again))
				continue;
			struct cap *c = (struct cap *)w;
			u8 *data = w + sizeof(struct cap);
			u64 max = D_MAXLEN(d);
			u64 addr = args[D_ARG(d)];
			long n = 0;
			c->addr = addr;
			c->arg = (u8)i;
			c->pad = 0;
			c->status = CAP_FAULT;
			if (addr == 0) {
				c->len = 0;
			} else if (D_KIND(d) == 2) {
				/* At most max bytes with the NUL: n - 1 bytes of text, cut when n == max. */
				n = ctrl.strncpy_nofault((char *)data, (const void *)addr, (long)max);
				if (n > 0 && (u64)n < max) {
					c->status = CAP_STR;
					n -= 1;
				} else if (n > 0) {
					c->status = CAP_STR_CUT;
					n -= 1;
				} else {
					n = 0;
				}
			} else {
				u64 len = max;
				if (D_KIND(d) == 3) {
					u32 src = D_SRC(d);
					long cnt = (long)(src == 7 ? regs->ax : args[src & 7]);
					if (cnt < 0)
						cnt = 0;
					if ((u64)cnt < len)
						len = (u64)cnt;
				}
				if (len == 0 || ctrl.copy_nofault(data, (const void *)addr, len) == 0) {
					c->status = CAP_OK;
					n = (long)len;
				}
			}
			if (c->status == CAP_FAULT && addr != 0)
				faulted = 1;
			c->len = (u32)n;
			w = data + align8((u64)n);
			ncap++;
		}
	}
	rec->ncap = ncap;
	u64 len = (u64)(w - (u8 *)rec);
	u32 live = sp ? sp->flags & (type == 1 ? F_LIVE_ENTER : F_LIVE_RETURN) : 0;
	if (live)
		rec->flags |= REC_LIVE;
	rec->len = (u32)len;
	__asm__ volatile("" : : : "memory");
	r->head += pad + len;
	r->records++;
	if (type == 1)
		*seen = (u64)regs | faulted;
	if (live)
		doorbell_live();
	else if (r->head - r->tail > ctrl.high_water)
		doorbell_full();
out:
	__asm__ volatile("pushq %0; popfq" : : "r"(fl) : "memory", "cc");
}
