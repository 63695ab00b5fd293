/*
 * The probe's hooks (see recorder.c): each records, then jumps on to the function the
 * patched call named, so no frame of ours stays on a task's stack while it sleeps in a
 * system call. Arguments of the patched calls (rdi = pt_regs, esi = nr) are kept.
 */
	.text
	.globl entry_hook, exit_hook, child_hook, doorbell_full, doorbell_live
	.hidden record, ctrl

/* entry_SYSCALL_64: call do_syscall_64(regs, nr) */
entry_hook:
	pushq %rdi
	pushq %rsi
	movl $1, %esi
	call record
	popq %rsi
	popq %rdi
	jmp *ctrl+0x20(%rip)

/* do_syscall_64: call syscall_exit_to_user_mode(regs) */
exit_hook:
	pushq %rdi
	movl $2, %esi
	call record
	popq %rdi
	jmp *ctrl+0x28(%rip)

/* ret_from_fork: call syscall_exit_to_user_mode(regs) */
child_hook:
	pushq %rdi
	movl $3, %esi
	call record
	popq %rdi
	jmp *ctrl+0x28(%rip)

/* The debugger's breakpoints sit on these two; without it they just return. */
	.p2align 4
doorbell_full:
	ret
	int3
	.p2align 4
doorbell_live:
	ret
	int3
