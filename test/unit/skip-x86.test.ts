/**
 * The x86_64 instructions the session applies from outside instead of single-stepping over a
 * kernel breakpoint (src/trace/skip-x86.ts), with the bytes Debian's 6.1 kernel has at the
 * places it stops (entry_SYSCALL_64: swapgs; __x64_sys_*: the 5-byte ftrace NOP;
 * syscall_exit_to_user_mode: push %rbx, then mov %rdi,%rbx).
 */
import t from 'tap';
import { decodeSkip, pushLength } from '../../src/trace/skip-x86.js';

const b = (...x: number[]): Uint8Array => Uint8Array.from(x);

t.same(decodeSkip(b(0x0f, 0x01, 0xf8, 0x65)), { len: 3, swap: ['gs_base', 'k_gs_base'], text: 'swapgs' }, 'swapgs');
t.same(decodeSkip(b(0x0f, 0x1f, 0x44, 0x00, 0x00, 0x48)), { len: 5, text: 'nopl 0x0(%rax,%rax,1)' }, 'ftrace NOP');
t.same(decodeSkip(b(0xf3, 0x0f, 0x1e, 0xfa)), { len: 4, text: 'endbr64' }, 'endbr64');
t.same(decodeSkip(b(0x90)), { len: 1, text: 'nop' });
t.same(decodeSkip(b(0x48, 0x89, 0xfb)), { len: 3, mov: { dst: 'rbx', src: 'rdi' }, text: 'mov %rdi,%rbx' }, 'mov %rdi,%rbx (89 /r)');
t.same(decodeSkip(b(0x4c, 0x89, 0xc7))?.mov, { dst: 'rdi', src: 'r8' }, 'REX.R: mov %r8,%rdi');
t.same(decodeSkip(b(0x49, 0x8b, 0xff))?.mov, { dst: 'rdi', src: 'r15' }, '8B /r with REX.B: mov %r15,%rdi');
t.equal(decodeSkip(b(0x48, 0x89, 0xe5)), undefined, 'a mov from rsp is stepped');
t.equal(decodeSkip(b(0x48, 0x89, 0x7b, 0x08)), undefined, 'a mov to memory is stepped');
t.equal(decodeSkip(b(0x53)), undefined, 'push is not applied from outside');
t.equal(decodeSkip(b(0x0f, 0x1f)), undefined, 'a cut NOP is stepped');
t.equal(decodeSkip(b()), undefined, 'no bytes');
t.equal(pushLength(b(0x53, 0x48, 0x89, 0xfb)), 1, 'push %rbx');
t.equal(pushLength(b(0x41, 0x57)), 2, 'push %r15');
t.equal(pushLength(b(0x48, 0x89, 0xfb)), undefined);
