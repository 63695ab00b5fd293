/**
 * Leaving a kernel breakpoint without a single-step (x86_64).
 *
 * QEMU 7.2 flushes its whole translation cache when single-stepping is switched on and off,
 * so the usual step over a breakpoint costs two flushes on top of the stop's own. When the
 * instruction under the breakpoint is one whose effect is trivial to apply from outside (a
 * NOP, an `endbr64`, a register-to-register `mov`, `swapgs`), the session applies it with `P` packets
 * (new rip, and the destination register) and continues: no step, no extra flush.
 *
 * Encodings: Intel SDM vol. 2 (NOP 0F 1F /0, ENDBR64 F3 0F 1E FA, MOV 89 /r and 8B /r with
 * REX.W, ModRM mod = 11 for register operands; SWAPGS 0F 01 F8; PUSH 50+rd, REX.B 41 for r8-r15).
 */

/** The 64-bit registers by their encoding number, as QEMU's x86_64 target description names them. */
const REG64 = ['rax', 'rcx', 'rdx', 'rbx', 'rsp', 'rbp', 'rsi', 'rdi', 'r8', 'r9', 'r10', 'r11', 'r12', 'r13', 'r14', 'r15'];

/** How to apply one instruction from outside: advance rip by `len`, then copy `mov.src` into `mov.dst`. */
export interface Skip {
  len: number;
  mov?: { dst: string; src: string };
  /** Exchange two registers (swapgs: the GS base and the kernel GS base). */
  swap?: [string, string];
  /** The instruction as read, for diagnostics. */
  text: string;
}

/** The instruction at the start of `code`, if it can be applied with register writes alone. */
export function decodeSkip(code: Uint8Array): Skip | undefined {
  const b = (i: number): number => code[i] ?? -1;
  if (b(0) === 0x90) return { len: 1, text: 'nop' };
  // SWAPGS (0F 01 F8): the first instruction of entry_SYSCALL_64.
  if (b(0) === 0x0f && b(1) === 0x01 && b(2) === 0xf8) return { len: 3, swap: ['gs_base', 'k_gs_base'], text: 'swapgs' };
  if (b(0) === 0x66 && b(1) === 0x90) return { len: 2, text: 'xchg %ax,%ax' };
  if (b(0) === 0xf3 && b(1) === 0x0f && b(2) === 0x1e && b(3) === 0xfa) return { len: 4, text: 'endbr64' };
  // The multi-byte NOPs compilers and ftrace put at function starts (0F 1F /0).
  if (b(0) === 0x0f && b(1) === 0x1f && b(2) === 0x44 && b(3) === 0x00 && b(4) === 0x00) return { len: 5, text: 'nopl 0x0(%rax,%rax,1)' };
  if (b(0) === 0x66 && b(1) === 0x0f && b(2) === 0x1f && b(3) === 0x44 && b(4) === 0x00 && b(5) === 0x00) return { len: 6, text: 'nopw 0x0(%rax,%rax,1)' };
  if (b(0) === 0x0f && b(1) === 0x1f && b(2) === 0x00) return { len: 3, text: 'nopl (%rax)' };
  if (b(0) === 0x0f && b(1) === 0x1f && b(2) === 0x40 && b(3) === 0x00) return { len: 4, text: 'nopl 0x0(%rax)' };
  // REX.W mov between 64-bit registers.
  const rex = b(0);
  if (rex >= 0x48 && rex <= 0x4f && (b(1) === 0x89 || b(1) === 0x8b) && b(2) >= 0xc0) {
    const modrm = b(2);
    const reg = ((modrm >> 3) & 7) | (rex & 4 ? 8 : 0);
    const rm = (modrm & 7) | (rex & 1 ? 8 : 0);
    const [dst, src] = b(1) === 0x89 ? [REG64[rm]!, REG64[reg]!] : [REG64[reg]!, REG64[rm]!];
    // rsp is left alone: a write to it from outside is applied, but not worth the risk.
    if (dst === 'rsp' || src === 'rsp') return undefined;
    return { len: 3, mov: { dst, src }, text: `mov %${src},%${dst}` };
  }
  return undefined;
}

/**
 * Length of a `push` of a register at the start of `code` (50+rd, or 41 50+rd), which writes
 * only rsp and the stack: a breakpoint may go after it when the value it reads (a function's
 * argument register) is not the one pushed over.
 */
export function pushLength(code: Uint8Array): number | undefined {
  if (code.length >= 1 && code[0]! >= 0x50 && code[0]! <= 0x57) return 1;
  if (code.length >= 2 && code[0] === 0x41 && code[1]! >= 0x50 && code[1]! <= 0x57) return 2;
  return undefined;
}
