/**
 * Calling a kernel function from a debugger stop, as Frida's barebone backend does: at a
 * point where the kernel may sleep (process context, interrupts on, no locks held), the
 * registers of the stopped vCPU are saved, the arguments set (System V: rdi, rsi...), a
 * return address pushed below the stack pointer and rip pointed at the function. The
 * return address is the stop point itself, which has a breakpoint: the call is over when
 * a vCPU stops there with the stack pointer just above the pushed return address (the task
 * may have slept and come back on another vCPU). Then the registers the call may change
 * (the caller-saved ones, rsp, rip, rflags) are put back and the stop point is stepped over.
 */
import type { GdbClient } from '../gdbstub/client.js';
import { readUintLE } from '../gdbstub/framing.js';
import { threadNumber } from '../gdbstub/stop-reply.js';
import type { RegisterMap } from '../gdbstub/target-description.js';
import { UserError } from '../util/errors.js';

const CLOBBERED = ['rax', 'rcx', 'rdx', 'rsi', 'rdi', 'r8', 'r9', 'r10', 'r11', 'rsp', 'rip', 'eflags'];
const ARG_REGS = ['rdi', 'rsi', 'rdx', 'rcx', 'r8', 'r9'];
/** Bytes left untouched below the interrupted stack pointer. */
const GAP = 512n;

export interface StoppedAt {
  thread: string;
  regs: Buffer;
}

export class GuestCaller {
  constructor(private readonly client: GdbClient, private readonly map: RegisterMap, private readonly safePoint: bigint, private readonly timeoutMs: number) {}

  reg(raw: Buffer, name: string): bigint {
    const r = this.map.byName.get(name)!;
    return readUintLE(raw, r.gOffset!, r.bitsize / 8);
  }

  private async setReg(name: string, value: bigint): Promise<void> {
    const r = this.map.byName.get(name)!;
    const b = Buffer.alloc(r.bitsize / 8);
    for (let i = 0; i < b.length; i++) b[i] = Number((value >> BigInt(8 * i)) & 0xffn);
    await this.client.writeRegisterRaw(r.regnum, b);
  }

  /** Runs the guest until a vCPU stops at the safe point in a state where the kernel may sleep. */
  async reachSafePoint(): Promise<StoppedAt> {
    const deadline = Date.now() + this.timeoutMs;
    for (;;) {
      const stop = await this.resumeUntilStop(deadline);
      const raw = await this.client.readAllRegisters();
      const pc = this.reg(raw, 'rip');
      if (pc === this.safePoint) {
        const ok = (this.reg(raw, 'eflags') & 0x200n) !== 0n && (this.reg(raw, 'cs') & 3n) === 0n;
        if (ok) return { thread: stop, regs: raw };
        await this.client.stepThread(stop);
      }
    }
  }

  private async resumeUntilStop(deadline: number): Promise<string> {
    await this.client.continue();
    const stop = await this.client.waitStop(Math.max(1000, deadline - Date.now())).catch((e: unknown) => {
      throw new UserError('GUEST_UNSUPPORTED', `the probe's allocation call did not come back (${(e as Error).message})`);
    });
    if (stop.kind !== 'signal' || stop.thread === undefined) throw new UserError('GUEST_UNSUPPORTED', 'the guest ended while the probe was being placed');
    await this.client.selectThread(stop.thread);
    return stop.thread;
  }

  /** Calls `fn(args...)` from the safe point `at` (the guest stopped there); returns rax. */
  async call(at: StoppedAt, fn: bigint, args: bigint[]): Promise<{ ret: bigint; at: StoppedAt }> {
    const saved = at.regs;
    const sp = this.reg(saved, 'rsp');
    // At a function's first instruction rsp = 8 mod 16; keep that at the callee's.
    const newSp = ((sp - GAP) & ~0xfn) - 8n;
    const ret = Buffer.alloc(8);
    ret.writeBigUInt64LE(this.safePoint);
    await this.client.selectThread(at.thread);
    await this.client.writeMemory(newSp, ret);
    for (let i = 0; i < args.length; i++) await this.setReg(ARG_REGS[i]!, args[i]!);
    await this.setReg('rsp', newSp);
    await this.setReg('rip', fn);
    const deadline = Date.now() + this.timeoutMs;
    for (;;) {
      const thread = await this.resumeUntilStop(deadline);
      const raw = await this.client.readAllRegisters();
      const back = this.reg(raw, 'rip') === this.safePoint && this.reg(raw, 'rsp') === newSp + 8n;
      if (!back) {
        if (this.reg(raw, 'rip') === this.safePoint) await this.client.stepThread(thread);
        continue;
      }
      const rax = this.reg(raw, 'rax');
      for (const name of CLOBBERED) await this.setReg(name, this.reg(saved, name));
      const now = await this.client.readAllRegisters();
      return { ret: rax, at: { thread, regs: now } };
    }
  }

  /** Steps the vCPU of `at` off the safe point's breakpoint. */
  async leave(at: StoppedAt): Promise<void> {
    await this.client.stepThread(at.thread);
  }
}

export function cpuOfThread(thread: string): number {
  return threadNumber(thread) - 1;
}
