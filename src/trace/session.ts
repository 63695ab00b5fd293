/**
 * One traced guest: attach, find the kernel's entry points, plant breakpoints, run the stop
 * loop, and detach so the guest runs on.
 *
 * Entry+return mode (../shared/DESIGN.md "Where syscalls are caught"): a breakpoint on the
 * kernel's syscall entry gives the number and arguments; a breakpoint on the user return
 * site gives the return value. A return is matched to its entry by (asid, user sp, pc) so
 * threads of one process never mix. fork/vfork/clone return twice; exit/exit_group never;
 * a successful execve never comes back to its return site and is reported at the kernel's
 * point of no return (`exec_commit` in the profile).
 *
 * An entry may be a C function given the saved user registers (profile `entries[].regs_arg`,
 * e.g. arm64 `invoke_syscall(regs, scno, ...)`): the arguments, user sp and return site then
 * come from the profile's `pt_regs` layout, the number from `entries[].nr` or pt_regs.
 * Registers outside the `g` packet (arm64's TTBR1_EL1) are read with `p`, at our stops only.
 */
import type { GdbClient } from '../gdbstub/client.js';
import { RspError } from '../gdbstub/errors.js';
import { readUintLE } from '../gdbstub/framing.js';
import { threadNumber, type StopReply } from '../gdbstub/stop-reply.js';
import type { RegisterInfo, RegisterMap } from '../gdbstub/target-description.js';
import { argsOf, callName, decodeEnter, decodeReturn, errnoOf, formatReturn, joinArgs, sigset, type DecodedArg } from '../decode/decoder.js';
import type { SyscallInfo, SyscallTable } from '../decode/prototypes.js';
import { ERRNO } from '../decode/tables/errno.js';
import type { Profile, ProfileEntry } from '../profile/profile.js';
import type { SymbolTable } from '../symbols/system-map.js';
import type { SymbolSource } from '../symbols/source.js';
import { UserError } from '../util/errors.js';
import type { EventArg, TraceEvent } from './event.js';
import { StubMemory } from './guest-memory.js';
import { ProcessReader, type ProcessInfo } from './process-info.js';
import type { Btf } from '../symbols/btf.js';

export interface SessionOptions {
  profile: Profile;
  table: SyscallTable;
  /** Where the kernel's symbols come from (a dump, the guest's memory...). */
  symbols: SymbolSource;
  strsize: number;
  emit: (ev: TraceEvent) => void;
  /** Diagnostics for the user (stderr). */
  info: (msg: string) => void;
  /** How long to wait for the kernel to come up far enough to place its symbols. */
  bootTimeoutMs?: number;
  /** Most calls waiting for their return; the oldest are reported lost beyond it. */
  maxPending?: number;
  /**
   * `exit`: one stop per call where the kernel leaves it (profile `exit_stop`); `entry`: a stop
   * at the kernel entry and one at the user return site.
   */
  mode?: 'entry' | 'exit';
  /**
   * Selective: only these calls (short names) stop the guest, at their handlers (the
   * profile's `exit_stop.handler`), with their returns caught at the user return site.
   */
  only?: string[];
  /** Kernel type data: with it, events carry pid, tid, ppid and comm. */
  btf?: Btf;
}

interface Pending {
  call: number;
  info: SyscallInfo | undefined;
  no: number;
  name: string;
  args: DecodedArg[];
  asid: bigint;
  sp: bigint;
  retaddr: bigint;
  abi: string;
  /** fork, vfork, clone, clone3: returns in parent and child. */
  forkLike: boolean;
  parentSeen: boolean;
  childSeen: boolean;
  /** The caller, when processes are named (--btf). */
  proc?: ProcessInfo;
}

const FORK_LIKE = new Set(['fork', 'vfork', 'clone', 'clone3']);
const EXEC_LIKE = new Set(['execve', 'execveat']);

export type SessionEnd =
  | { kind: 'guest-exited'; status: number }
  | { kind: 'guest-killed'; signal: number }
  | { kind: 'detached' }
  | { kind: 'stub-lost'; error: RspError };

export class TraceSession {
  private regs!: RegisterMap;
  private symbols!: SymbolTable;
  private readonly memory: StubMemory;
  private readonly entryBps = new Map<bigint, ProfileEntry>(); // address -> entry
  /** Registers the profile reads that are not in the `g` packet (arm64 system registers): read with `p`. */
  private pRegs: RegisterInfo[] = [];
  private readonly returnBps = new Map<bigint, number>(); // address -> calls waiting there
  private execBp: bigint | undefined;
  /** Exit mode: the exit breakpoint, handler breakpoints (address -> call name), calls seen at their handler. */
  private exitBp: bigint | undefined;
  private readonly handlerBps = new Map<bigint, string>();
  private readonly atHandler = new Map<bigint, Pending>();
  private warnedAbi = false;
  private procReader: ProcessReader | undefined;
  /** The task of the stop being handled. */
  private curProc: ProcessInfo | undefined;
  private execBpPlanted = false;
  private readonly pending = new Map<string, Pending>();
  private seq = 0;
  private calls = 0;
  private running = false;
  private stopRequested = false;
  private readonly maxPending: number;
  /** Counters for the closing summary. */
  readonly stats = { stops: 0, entries: 0, returns: 0, strayReturns: 0, lost: 0 };

  /** The mode in use: exit where the profile has it, unless entry+return was asked for. */
  readonly mode: 'entry' | 'exit' | 'selective';
  private readonly selectedBps = new Map<bigint, string>();

  constructor(private readonly client: GdbClient, private readonly opts: SessionOptions) {
    this.memory = new StubMemory(client);
    this.mode = opts.only ? 'selective' : opts.mode ?? (opts.profile.exitStop ? 'exit' : 'entry');
    this.maxPending = opts.maxPending ?? 4096;
  }

  /** Handshake, register map, symbols placed on this boot, breakpoints planted. */
  async attach(): Promise<void> {
    const c = this.client;
    await c.qSupported();
    const regs = await c.readTargetDescription();
    if (!regs) throw new UserError('GUEST_UNSUPPORTED', `the stub sends no target description; profile ${this.opts.profile.name} needs one`);
    this.regs = regs;
    for (const r of this.neededRegisters(true)) {
      if (!regs.byName.has(r)) {
        throw new UserError('GUEST_UNSUPPORTED', `the guest has no register '${r}' (architecture ${regs.architecture ?? 'unknown'}); is profile ${this.opts.profile.name} right for it?`);
      }
    }
    await c.haltReason();
    await c.readAllRegisters(); // sets the g offsets
    this.pRegs = this.neededRegisters()
      .map((n) => regs.byName.get(n)!)
      .filter((r, i, all) => r.gOffset === undefined && all.indexOf(r) === i);
    if (this.pRegs.find((r) => r.name === this.opts.profile.registers.pc)) {
      throw new UserError('GUEST_UNSUPPORTED', `the stub's g packet has no '${this.opts.profile.registers.pc}'; profile ${this.opts.profile.name} needs it there`);
    }
    this.symbols = await this.opts.symbols.resolve({
      client: c,
      profile: this.opts.profile,
      info: this.opts.info,
      untilReady: (probe, what) => this.untilReady(probe, what),
    });
    if (this.opts.btf) {
      const r = ProcessReader.create(this.opts.btf, this.symbols);
      if (typeof r === 'string') this.opts.info(`warning: processes will not be named (${r}); events carry asids only`);
      else this.procReader = r;
    }
    if (this.mode === 'exit') return this.plantExitMode();
    if (this.mode === 'selective') return this.plantSelective();
    for (const e of this.opts.profile.entries) {
      const addr = this.symbols.require(e.symbol, `${this.opts.profile.name} entry point`);
      this.entryBps.set(addr, e);
      await c.insertBreakpoint(addr, 0, this.opts.profile.breakpointKind);
      this.opts.info(`breakpoint on ${e.symbol} at 0x${addr.toString(16)}`);
    }
    if (this.opts.profile.execCommit) this.execBp = this.symbols.lookup(this.opts.profile.execCommit);
  }

  /** The registers this profile reads at its stops (`all`: also those of its user convention that no stop reads). */
  private neededRegisters(all = false): string[] {
    const p = this.opts.profile;
    const r = p.registers;
    const names = [r.ret, r.sp, r.pc, r.asid];
    // Entries given pt_regs take the number, arguments and return site from there.
    if (all || p.entries.some((e) => e.regsArg === undefined)) names.push(...r.args, r.nr, r.retaddr);
    for (const e of p.entries) {
      if (e.regsArg) names.push(e.regsArg);
      if (e.nr) names.push(e.nr);
    }
    if (p.exitStop) names.push(p.exitStop.regsArg);
    return names;
  }

  private async plantSelective(): Promise<void> {
    const es = this.opts.profile.exitStop;
    if (!es) throw new UserError('GUEST_UNSUPPORTED', `profile ${this.opts.profile.name} cannot stop for selected calls only (no handler symbols)`);
    for (const name of this.opts.only!) {
      const info = this.opts.table.byShortName(name);
      if (!info) throw new UserError('USAGE', `no syscall '${name}' in profile ${this.opts.profile.name}`);
      const sym = es.handler.replace('{name}', info.fn.replace(/^sys_/, ''));
      const addr = this.symbols.require(sym, `handler of ${name}`);
      this.selectedBps.set(addr, name);
      await this.client.insertBreakpoint(addr, 0, this.opts.profile.breakpointKind);
    }
    if (this.opts.profile.execCommit) this.execBp = this.symbols.lookup(this.opts.profile.execCommit);
    this.opts.info(`selective: stopping only for ${this.opts.only!.join(', ')}`);
  }

  private async plantExitMode(): Promise<void> {
    const es = this.opts.profile.exitStop;
    if (!es) throw new UserError('GUEST_UNSUPPORTED', `profile ${this.opts.profile.name} has no one-stop-per-call mode; use --mode entry`);
    const kind = this.opts.profile.breakpointKind;
    this.exitBp = this.symbols.require(es.symbol, 'the syscall exit path');
    await this.client.insertBreakpoint(this.exitBp, 0, kind);
    this.opts.info(`one stop per call: breakpoint on ${es.symbol} at 0x${this.exitBp.toString(16)}`);
    const missing: string[] = [];
    for (const name of es.entryCalls) {
      const sym = es.handler.replace('{name}', name);
      const addr = this.symbols.lookup(sym);
      if (addr === undefined) {
        missing.push(sym);
        continue;
      }
      this.handlerBps.set(addr, name);
      await this.client.insertBreakpoint(addr, 0, kind);
    }
    if (missing.length) this.opts.info(`warning: no ${missing.join(', ')} in the symbols: those calls show only at their exit, if any`);
  }

  /** Lets the guest run in short bursts until `probe` (run while it is stopped) gives a value. */
  private async untilReady<T>(probe: () => Promise<T | { reason: string }>, what: string): Promise<T> {
    const deadline = Date.now() + (this.opts.bootTimeoutMs ?? 180_000);
    for (let round = 0; ; round++) {
      const r = await probe();
      if (!(typeof r === 'object' && r !== null && 'reason' in r)) return r as T;
      if (Date.now() > deadline || this.stopRequested) {
        throw new UserError('SYMBOL_MISSING', `could not ${what}: ${(r as { reason: string }).reason}`);
      }
      // Let the guest boot a little; an interrupt costs no translation flush.
      await this.client.continue();
      this.running = true;
      await sleep(round < 10 ? 50 : 150);
      this.client.interrupt();
      const stop = await this.client.waitStop();
      this.running = false;
      if (stop.kind !== 'signal') throw new UserError('GUEST_UNSUPPORTED', 'the guest ended before its kernel could be found');
    }
  }

  /** Asks the loop to stop at the next opportunity (Ctrl-C, SIGTERM). */
  requestStop(): void {
    if (this.stopRequested) return;
    this.stopRequested = true;
    if (this.running) this.client.interrupt();
  }

  /** Runs until the guest exits, the stub goes away, or a stop is requested (then detaches). */
  async run(): Promise<SessionEnd> {
    try {
      for (;;) {
        if (this.stopRequested) return await this.detach();
        await this.client.continue();
        this.running = true;
        if (this.stopRequested) this.client.interrupt(); // asked while we were resuming
        const stop = await this.client.waitStop();
        this.running = false;
        if (stop.kind === 'exited' || stop.kind === 'terminated') {
          this.emitUnfinished();
          return stop.kind === 'exited' ? { kind: 'guest-exited', status: stop.status } : { kind: 'guest-killed', signal: stop.signal };
        }
        this.stats.stops++;
        await this.onStop(stop);
      }
    } catch (e) {
      if (e instanceof RspError && (e.code === 'RSP_DISCONNECTED' || e.code === 'RSP_TIMEOUT')) return { kind: 'stub-lost', error: e };
      throw e;
    }
  }

  /** Removes every breakpoint we planted and lets the guest run on. */
  async detach(): Promise<SessionEnd> {
    await this.release();
    await this.client.detach();
    return { kind: 'detached' };
  }

  /**
   * Removes every breakpoint we planted but leaves the guest paused: closing the connection
   * without `D` keeps it stopped for a debugger to attach (a rule's `stop` action).
   */
  async release(): Promise<void> {
    const c = this.client;
    const kind = this.opts.profile.breakpointKind;
    const all = [...this.entryBps.keys(), ...this.handlerBps.keys(), ...this.selectedBps.keys(), ...this.returnBps.keys()];
    if (this.exitBp !== undefined) all.push(this.exitBp);
    if (this.execBpPlanted && this.execBp !== undefined) all.push(this.execBp);
    for (const addr of all) await c.removeBreakpoint(addr, 0, kind).catch(() => undefined);
    this.entryBps.clear();
    this.handlerBps.clear();
    this.selectedBps.clear();
    this.returnBps.clear();
    this.exitBp = undefined;
    this.execBpPlanted = false;
  }

  /** Calls still waiting for their return. */
  pendingCalls(): number {
    return this.pending.size;
  }

  private async onStop(stop: Extract<StopReply, { kind: 'signal' }>): Promise<void> {
    const thread = stop.thread;
    if (thread === undefined) return;
    await this.client.selectThread(thread);
    const raw = await this.client.readAllRegisters();
    const viaP = new Map<string, bigint>();
    const reg = (name: string): bigint => {
      const r = this.regs.byName.get(name)!;
      return r.gOffset === undefined ? viaP.get(name) ?? 0n : readUintLE(raw, r.gOffset, r.bitsize / 8);
    };
    const p = this.opts.profile.registers;
    const pc = reg(p.pc);
    const cpu = threadNumber(thread) - 1;
    this.curProc = undefined;
    // Registers outside `g`, only at our own stops (each costs a `p` round trip).
    if (this.pRegs.length && this.isOurs(pc)) {
      for (const r of this.pRegs) viaP.set(r.name, await this.client.readRegister(r.name));
    }
    if (this.procReader && this.isOurs(pc)) {
      this.curProc = await this.procReader.read(this.memory, reg('gs_base'), reg('k_gs_base'));
    }
    const entry = this.entryBps.get(pc);
    let stepOver = false;
    if (entry !== undefined) {
      await this.onEntry(reg, pc, cpu, entry);
      stepOver = true;
    } else if (pc === this.exitBp) {
      await this.onExitStop(reg, pc, cpu);
      stepOver = true;
    } else if (this.handlerBps.has(pc)) {
      await this.onHandler(reg, pc, cpu);
      stepOver = true;
    } else if (this.selectedBps.has(pc)) {
      await this.onSelected(reg, pc, cpu);
      stepOver = true;
    } else if (pc === this.execBp && this.execBpPlanted) {
      await this.onExecCommit(reg, cpu);
      stepOver = this.execBpPlanted;
    } else if (this.returnBps.has(pc)) {
      await this.onReturn(reg, pc, cpu);
      stepOver = this.returnBps.has(pc); // removed when nobody waits there any more
    }
    // A `c` from a breakpoint's address reports it again at once: step this vCPU alone.
    if (stepOver && !this.stopRequested) await this.client.stepThread(thread);
  }

  private isOurs(pc: bigint): boolean {
    return this.entryBps.has(pc) || pc === this.exitBp || this.handlerBps.has(pc) || this.selectedBps.has(pc) || this.returnBps.has(pc) || (this.execBpPlanted && pc === this.execBp);
  }

  private asidOf(reg: (n: string) => bigint): bigint {
    return reg(this.opts.profile.registers.asid) & this.opts.profile.asidMask;
  }

  private async onEntry(reg: (n: string) => bigint, pc: bigint, cpu: number, entry: ProfileEntry): Promise<void> {
    const abi = entry.abi;
    if (entry.regsArg !== undefined) {
      // A C function given the saved user registers (arm64 invoke_syscall(regs, scno, ...)):
      // arguments, user sp and return site from pt_regs, the number from a register or pt_regs.
      const regs = await this.readPtRegs(reg, entry.regsArg);
      if (!regs) return;
      this.stats.entries++;
      const no = entry.nr !== undefined ? Number(BigInt.asIntN(32, reg(entry.nr))) : undefined;
      await this.startCall(await this.pendingFromPtRegs(regs, this.asidOf(reg), abi, no), cpu, pc);
      return;
    }
    this.stats.entries++;
    const p = this.opts.profile.registers;
    const no = Number(BigInt.asIntN(32, reg(p.nr)));
    const info = this.opts.table.getSyscallInfo(no);
    const args = argsOf(info, p.args.map(reg));
    await decodeEnter(info, args, this.memory, { strsize: this.opts.strsize });
    const name = callName(info, no);
    const pend: Pending = {
      call: ++this.calls, info, no, name, args, asid: this.asidOf(reg), sp: reg(p.sp), retaddr: reg(p.retaddr), abi,
      forkLike: FORK_LIKE.has(name), parentSeen: false, childSeen: false,
    };
    await this.startCall(pend, cpu, pc);
  }

  /** Selective mode: a selected call stopped at its handler; its return is caught in user space. */
  private async onSelected(reg: (n: string) => bigint, pc: bigint, cpu: number): Promise<void> {
    const regs = await this.readPtRegs(reg);
    if (!regs) return;
    this.stats.entries++;
    await this.startCall(await this.pendingFromPtRegs(regs, this.asidOf(reg), 'x64'), cpu, pc);
  }

  /** Emits the enter event of a call and, unless it never returns, waits for its return. */
  private async startCall(pend: Pending, cpu: number, pc: bigint): Promise<void> {
    const { name, info, args } = pend;
    if (this.curProc) pend.proc = this.curProc;
    if (name === 'exit_group') await this.reapProcess(cpu, pc);
    const ev = this.event('enter', pend, cpu, pc);
    if (this.opts.profile.sigreturn?.name === name) {
      await this.emitSigreturn(ev, pend);
      return;
    }
    if (info?.noreturn) {
      ev.noreturn = true;
      ev.retText = '?';
      ev.line = `${name}(${joinArgs(args)}) = ?`;
      this.opts.emit(ev);
      return;
    }
    this.opts.emit(ev);
    const key = this.key(pend.asid, pend.sp, pend.retaddr);
    const old = this.pending.get(key);
    if (old) {
      // The same thread entered again at the same site: the old call was restarted or its
      // return was lost (a signal handler that longjmp'd away).
      await this.finish(old, undefined, cpu, pc, false);
    }
    this.pending.set(key, pend);
    await this.addReturnBp(pend.retaddr);
    if (EXEC_LIKE.has(name)) await this.armExec();
    await this.reap(cpu, pc);
  }

  /** rt_sigreturn: complete at entry, with the mask and return value its frame restores. */
  private async emitSigreturn(ev: TraceEvent, pend: Pending): Promise<void> {
    const sr = this.opts.profile.sigreturn!;
    const word = this.opts.profile.wordSize;
    const mask = await this.memory.read(pend.sp + BigInt(sr.maskOffset), 8);
    const rax = await this.memory.read(pend.sp + BigInt(sr.retOffset), word);
    const restored = rax && rax.length === word ? readUintLE(rax) : undefined;
    this.fillReturn(ev, pend, restored);
    const maskText = mask && mask.length === 8 ? `{mask=${sigset(readUintLE(mask))}}` : '';
    ev.line = `${pend.name}(${maskText}) = ${ev.retText}`;
    ev.noreturn = true;
    this.opts.emit(ev);
  }

  /** Reads the saved user registers (struct pt_regs) the kernel function got in `regsArg`. */
  private async readPtRegs(reg: (n: string) => bigint, regsArg = this.opts.profile.exitStop!.regsArg): Promise<{ at: bigint; get: (off: number) => bigint } | null> {
    const size = this.opts.profile.ptRegs!.size;
    const at = reg(regsArg);
    const buf = await this.memory.read(at, size);
    if (!buf || buf.length < size) return null;
    const word = this.opts.profile.wordSize;
    return { at, get: (off) => readUintLE(buf, off, word) };
  }

  /** A pending call built from saved pt_regs (its number from there unless given). */
  private async pendingFromPtRegs(regs: { get: (off: number) => bigint }, asid: bigint, abi: string, nr?: number): Promise<Pending> {
    const pr = this.opts.profile.ptRegs!;
    const no = nr ?? Number(BigInt.asIntN(32, regs.get(pr.nr)));
    const info = this.opts.table.getSyscallInfo(no);
    const args = argsOf(info, pr.args.map((o) => regs.get(o)));
    await decodeEnter(info, args, this.memory, { strsize: this.opts.strsize });
    const name = callName(info, no);
    return {
      call: ++this.calls, info, no, name, args, asid, sp: regs.get(pr.sp), retaddr: regs.get(pr.ip), abi,
      forkLike: FORK_LIKE.has(name), parentSeen: false, childSeen: false,
    };
  }

  /** Exit mode: a call whose facts are gone by its exit, stopped at its handler. */
  private async onHandler(reg: (n: string) => bigint, pc: bigint, cpu: number): Promise<void> {
    const regs = await this.readPtRegs(reg);
    if (!regs) return;
    this.stats.entries++;
    const pend = await this.pendingFromPtRegs(regs, this.asidOf(reg), 'x64');
    if (this.curProc) pend.proc = this.curProc;
    const ev = this.event('enter', pend, cpu, pc);
    if (this.opts.profile.sigreturn?.name === pend.name) return this.emitSigreturn(ev, pend);
    if (pend.info?.noreturn) {
      ev.noreturn = true;
      ev.retText = '?';
      ev.line = `${pend.name}(${joinArgs(pend.args)}) = ?`;
      this.opts.emit(ev);
      return;
    }
    this.opts.emit(ev);
    // Completed at its exit stop, found again by its pt_regs (the task's kernel stack).
    this.atHandler.set(regs.at, pend);
    while (this.atHandler.size > this.maxPending) {
      const [k, old] = this.atHandler.entries().next().value as [bigint, Pending];
      this.atHandler.delete(k);
      const lost = this.event('return', old, cpu, pc);
      this.fillReturn(lost, old, undefined);
      this.stats.lost++;
      this.opts.emit(lost);
    }
  }

  /** Exit mode: the one stop of a call, with everything in pt_regs. */
  private async onExitStop(reg: (n: string) => bigint, pc: bigint, cpu: number): Promise<void> {
    const es = this.opts.profile.exitStop!;
    const regs = await this.readPtRegs(reg);
    if (!regs) return;
    const nr = BigInt.asIntN(64, regs.get(es.ptRegs.nr));
    if (nr < 0n) return; // not a system call (or rt_sigreturn, seen at its handler)
    if (es.ptRegs.cs !== undefined && es.userCs !== undefined && (regs.get(es.ptRegs.cs) & 0xffffn) !== BigInt(es.userCs)) {
      if (!this.warnedAbi) this.opts.info('warning: 32-bit system calls seen; this profile decodes only the 64-bit ABI, they are skipped');
      this.warnedAbi = true;
      return;
    }
    const asid = this.asidOf(reg);
    const ret = regs.get(es.ptRegs.ret);
    let pend = this.atHandler.get(regs.at);
    if (pend && pend.no === Number(nr)) {
      this.atHandler.delete(regs.at);
    } else {
      pend = await this.pendingFromPtRegs(regs, asid, 'x64');
      this.stats.entries++;
      const enter = this.event('enter', pend, cpu, pc);
      enter.late = true;
      this.opts.emit(enter);
    }
    this.stats.returns++;
    await decodeReturn(pend.info, pend.args, ret, this.memory, { strsize: this.opts.strsize });
    const ev = this.event('return', pend, cpu, pc);
    if (pend.forkLike && BigInt.asIntN(64, ret) === 0n) ev.child = true;
    ev.asid = '0x' + asid.toString(16);
    this.fillReturn(ev, pend, ret);
    this.opts.emit(ev);
  }

  private async onReturn(reg: (n: string) => bigint, pc: bigint, cpu: number): Promise<void> {
    const p = this.opts.profile.registers;
    const asid = this.asidOf(reg);
    const sp = reg(p.sp);
    const ret = reg(p.ret);
    let pend = this.pending.get(this.key(asid, sp, pc));
    let child = false;
    if (pend && pend.forkLike && BigInt.asIntN(64, ret) === 0n) child = true;
    if (!pend && BigInt.asIntN(64, ret) === 0n) {
      // A fork child returns in a new address space; a thread from clone on its new stack.
      for (const cand of [...this.pending.values()].reverse()) {
        if (cand.forkLike && !cand.childSeen && cand.retaddr === pc) {
          pend = cand;
          child = true;
          break;
        }
      }
    }
    if (!pend) {
      this.stats.strayReturns++;
      return;
    }
    this.stats.returns++;
    await decodeReturn(pend.info, pend.args, ret, this.memory, { strsize: this.opts.strsize });
    const ev = this.event('return', pend, cpu, pc);
    if (child) {
      ev.child = true;
      ev.asid = '0x' + asid.toString(16);
      ev.sp = '0x' + sp.toString(16);
      pend.childSeen = true;
    } else pend.parentSeen = true;
    this.fillReturn(ev, pend, ret);
    this.opts.emit(ev);
    const failed = errnoOf(ret, this.opts.profile.errnoMax) !== undefined;
    const done = !pend.forkLike || (pend.parentSeen && (pend.childSeen || failed));
    if (done) await this.drop(pend);
  }

  private async onExecCommit(reg: (n: string) => bigint, cpu: number): Promise<void> {
    const asid = this.asidOf(reg);
    // Under page-table isolation the kernel's CR3 differs from the user's in bit 12.
    const cands = [...this.pending.values()].filter((p) => EXEC_LIKE.has(p.name));
    const pend = cands.find((p) => p.asid === asid) ?? cands.find((p) => (p.asid | 0x1000n) === (asid | 0x1000n));
    if (pend) {
      await decodeReturn(pend.info, pend.args, 0n, this.memory, { strsize: this.opts.strsize });
      const ev = this.event('return', pend, cpu, this.execBp!);
      this.fillReturn(ev, pend, 0n);
      this.opts.emit(ev);
      await this.drop(pend);
    }
    if (![...this.pending.values()].some((p) => EXEC_LIKE.has(p.name))) await this.disarmExec();
  }

  private fillReturn(ev: TraceEvent, pend: Pending, ret: bigint | undefined): void {
    const size = pend.info ? Math.min(8, this.opts.profile.wordSize) : 8;
    ev.retText = formatReturn(pend.name, ret, this.opts.profile.errnoMax, size);
    if (ret !== undefined) {
      ev.ret = Number(BigInt.asIntN(size * 8, ret));
      const e = errnoOf(ret, this.opts.profile.errnoMax);
      if (e !== undefined) ev.errno = ERRNO.get(e)?.[0] ?? `errno${e}`;
    }
    ev.line = `${pend.name}(${joinArgs(pend.args)}) = ${ev.retText}`;
  }

  /**
   * exit_group ends every thread of the process: their calls still waiting (a thread blocked
   * in read) will never return, so they are reported `= ?` now and their return breakpoints
   * freed. Needs process names (--btf); without them only the table's size bound applies.
   */
  private async reapProcess(cpu: number, pc: bigint): Promise<void> {
    const me = this.curProc;
    if (!me) return;
    for (const pend of [...this.pending.values()]) {
      if (pend.proc?.pid !== me.pid || pend.proc.tid === me.tid) continue;
      this.curProc = pend.proc;
      await this.finish(pend, undefined, cpu, pc, false);
    }
    this.curProc = me;
  }

  /**
   * The guest is gone: calls still waiting (a reboot that powered it off, a read that never
   * completed) are reported `= ?`, as strace reports calls a process never returned from.
   */
  private emitUnfinished(): void {
    for (const pend of [...this.pending.values(), ...this.atHandler.values()]) {
      this.curProc = pend.proc; // no task is running: name the caller
      const ev = this.event('return', pend, -1, pend.retaddr);
      this.fillReturn(ev, pend, undefined);
      this.opts.emit(ev);
    }
    this.pending.clear();
    this.atHandler.clear();
  }

  /** Reports a call whose return will not come (restarted, or the table is full). */
  private async finish(pend: Pending, ret: bigint | undefined, cpu: number, pc: bigint, lost: boolean): Promise<void> {
    const ev = this.event('return', pend, cpu, pc);
    this.fillReturn(ev, pend, ret);
    if (lost) this.stats.lost++;
    this.opts.emit(ev);
    await this.drop(pend);
  }

  private async reap(cpu: number, pc: bigint): Promise<void> {
    while (this.pending.size > this.maxPending) {
      const oldest = this.pending.values().next().value as Pending;
      await this.finish(oldest, undefined, cpu, pc, true);
    }
  }

  private async drop(pend: Pending): Promise<void> {
    this.pending.delete(this.key(pend.asid, pend.sp, pend.retaddr));
    await this.decReturnBp(pend.retaddr);
  }

  private async addReturnBp(addr: bigint): Promise<void> {
    const n = this.returnBps.get(addr) ?? 0;
    if (n === 0 && !this.entryBps.has(addr)) await this.client.insertBreakpoint(addr, 0, this.opts.profile.breakpointKind);
    this.returnBps.set(addr, n + 1);
  }

  private async decReturnBp(addr: bigint): Promise<void> {
    const n = this.returnBps.get(addr) ?? 0;
    if (n <= 1) {
      this.returnBps.delete(addr);
      if (n === 1 && !this.entryBps.has(addr)) await this.client.removeBreakpoint(addr, 0, this.opts.profile.breakpointKind);
    } else this.returnBps.set(addr, n - 1);
  }

  private async armExec(): Promise<void> {
    if (this.execBp === undefined || this.execBpPlanted) return;
    await this.client.insertBreakpoint(this.execBp, 0, this.opts.profile.breakpointKind);
    this.execBpPlanted = true;
  }

  private async disarmExec(): Promise<void> {
    if (this.execBp === undefined || !this.execBpPlanted) return;
    await this.client.removeBreakpoint(this.execBp, 0, this.opts.profile.breakpointKind);
    this.execBpPlanted = false;
  }

  private key(asid: bigint, sp: bigint, pc: bigint): string {
    return `${asid.toString(16)}:${sp.toString(16)}:${pc.toString(16)}`;
  }

  private event(dir: 'enter' | 'return', pend: Pending, cpu: number, pc: bigint): TraceEvent {
    const args: EventArg[] = pend.args.map((a) => {
      const e: EventArg = { name: a.name, type: a.type, raw: '0x' + a.raw.toString(16) };
      if (a.text !== undefined && !a.omitted) e.text = a.text;
      return e;
    });
    const ev: TraceEvent = {
      seq: ++this.seq,
      ts: Math.round(Date.now() * 1000) / 1e6,
      dir,
      call: pend.call,
      cpu,
      asid: '0x' + pend.asid.toString(16),
      pc: '0x' + pc.toString(16),
      retaddr: '0x' + pend.retaddr.toString(16),
      sp: '0x' + pend.sp.toString(16),
      no: pend.no,
      name: pend.name,
      args,
      profile: this.opts.profile.name,
      abi: pend.abi,
    };
    if (!pend.info) ev.unknown = true;
    const pr = this.curProc;
    if (pr) {
      ev.pid = pr.pid;
      ev.tid = pr.tid;
      ev.ppid = pr.ppid;
      ev.comm = pr.comm;
    }
    return ev;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
