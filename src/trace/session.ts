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
import { BUILTIN_LAYOUTS, gPacketSize, type RegisterInfo, type RegisterMap } from '../gdbstub/target-description.js';
import { argsOf, callName, decodeEnter, decodeReturn, errnoOf, formatReturn, joinArgs, sigset, type DecodedArg } from '../decode/decoder.js';
import { loadPrototypes, type SyscallInfo, type SyscallTable } from '../decode/prototypes.js';
import type { DecodeOptions, PairAbi } from '../decode/decoder.js';
import type { XlatStyle } from '../decode/format.js';
import { ERRNO } from '../decode/tables/errno.js';
import { mipsErrno } from '../decode/tables/errno-mips.js';
import { formatNtStatus } from '../decode/nt.js';
import { gateTarget, parseIdtBase } from '../symbols/kaslr-x86.js';
import type { Profile, ProfileEntry, PtRegsLayout, SigreturnSpec } from '../profile/profile.js';
import type { SymbolTable } from '../symbols/system-map.js';
import type { SymbolSource } from '../symbols/source.js';
import { UserError } from '../util/errors.js';
import type { EventArg, TraceEvent } from './event.js';
import { StubMemory } from './guest-memory.js';
import { decodeSkip, pushLength, type Skip } from './skip-x86.js';
import { ProcessReader, type ProcessInfo } from './process-info.js';
import type { Btf } from '../symbols/btf.js';

export interface SessionOptions {
  profile: Profile;
  table: SyscallTable;
  /** Where the kernel's symbols come from (a dump, the guest's memory...). */
  symbols: SymbolSource;
  strsize: number;
  /** -X and -v for this session (else the process defaults, decoder.setDecodeDefaults). */
  xlat?: XlatStyle;
  verbose?: boolean;
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

/** One system-call ABI of the profile: its table, layouts and return convention. */
interface Abi {
  name: string;
  table: SyscallTable;
  wordSize: 4 | 8;
  errnoMax: number;
  pairs?: PairAbi;
  ptRegs?: PtRegsLayout;
  /** Registers at the user return site. */
  ret: string;
  sp: string;
  errflag?: string;
  sigreturn?: SigreturnSpec[];
  /** Exit mode: the user code segment of this ABI's calls, and the handlers of those that never exit. */
  userCs?: number;
  handlers?: Record<string, string>;
  /** Selective mode: handler name templates of this ABI's calls, the first the kernel has. */
  selectHandlers?: string[];
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
  abi: Abi;
  /** Z0 kind of the return breakpoint (Thumb code). */
  retKind: number;
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
  private readonly returnBps = new Map<bigint, { n: number; kind: number }>(); // address -> calls waiting there
  /** The profile's own ABI, and the further ones its entries name. */
  private readonly abi: Abi;
  private readonly abis = new Map<string, Abi>();
  /** asid_from: the address of the per-CPU word that keys the address space. */
  private asidFromAddr: bigint | undefined;
  /** The address-space key of the stop being handled. */
  private curAsid = 0n;
  /** Kernel breakpoints left by applying their instruction from outside (skip-x86.ts); null: step. */
  private readonly skips = new Map<bigint, Skip | null>();
  private execBp: bigint | undefined;
  /** Exit mode: the exit breakpoint, handler breakpoints (address -> call name), calls seen at their handler. */
  private exitBp: bigint | undefined;
  private readonly handlerBps = new Map<bigint, { name: string; abi: Abi }>();
  private readonly atHandler = new Map<bigint, Pending>();
  private warnedAbi = false;
  private procReader: ProcessReader | undefined;
  /** The task of the stop being handled. */
  private curProc: ProcessInfo | undefined;
  private execBpPlanted = false;
  private readonly pending = new Map<string, Pending>();
  /** Fork-like calls whose parent returned and whose key a later call of that thread took: their child has not returned yet. */
  private awaitingChild: Pending[] = [];
  private seq = 0;
  private calls = 0;
  private running = false;
  private stopRequested = false;
  private readonly maxPending: number;
  /** Counters for the closing summary. */
  readonly stats = { stops: 0, entries: 0, returns: 0, strayReturns: 0, lost: 0, skipped: 0, restepped: 0 };

  /** The mode in use: exit where the profile has it, unless entry+return was asked for. */
  readonly mode: 'entry' | 'exit' | 'selective';
  private readonly selectedBps = new Map<bigint, { name: string; abi: Abi }>();

  private readonly decodeOpts: DecodeOptions;
  /** MIPS numbers errno values its own way (asm/errno.h). */
  private readonly errnoArch: 'mips' | undefined;

  constructor(private readonly client: GdbClient, private readonly opts: SessionOptions) {
    this.decodeOpts = { strsize: opts.strsize, ...(opts.xlat ? { xlat: opts.xlat } : {}), ...(opts.verbose !== undefined ? { verbose: opts.verbose } : {}) };
    this.memory = new StubMemory(client);
    this.mode = opts.only ? 'selective' : opts.mode ?? (opts.profile.exitStop ? 'exit' : 'entry');
    this.maxPending = opts.maxPending ?? 4096;
    this.errnoArch = opts.profile.arch === 'mips' ? 'mips' : undefined;
    const p = opts.profile;
    const ownName = p.entries.find((e) => p.abis[e.abi] === undefined)?.abi ?? p.name;
    this.abi = {
      name: ownName, table: opts.table, wordSize: p.wordSize, errnoMax: p.errnoMax, ret: p.registers.ret, sp: p.registers.sp,
      ...(p.pairs ? { pairs: { pairs: p.pairs } } : {}),
      ...(p.ptRegs ? { ptRegs: p.ptRegs } : {}),
      ...(p.registers.errflag ? { errflag: p.registers.errflag } : {}),
      ...(p.sigreturn ? { sigreturn: p.sigreturn } : {}),
    };
    for (const spec of Object.values(p.abis)) {
      this.abis.set(spec.name, {
        name: spec.name,
        table: loadPrototypes(spec.prototypes, spec.wordSize, spec.names),
        wordSize: spec.wordSize,
        errnoMax: spec.errnoMax,
        ret: spec.registers.ret,
        sp: spec.registers.sp,
        ...(spec.pairs ? { pairs: { pairs: spec.pairs } } : {}),
        ...(spec.ptRegs ?? p.ptRegs ? { ptRegs: (spec.ptRegs ?? p.ptRegs)! } : {}),
        ...(spec.registers.errflag ? { errflag: spec.registers.errflag } : {}),
        ...(spec.sigreturn ? { sigreturn: spec.sigreturn } : {}),
        ...(spec.exitStop ? { userCs: spec.exitStop.userCs, handlers: spec.exitStop.handlers } : {}),
        ...(spec.exitStop?.handler ? { selectHandlers: spec.exitStop.handler } : {}),
      });
    }
  }

  private abiOf(entry: ProfileEntry): Abi {
    return this.abis.get(entry.abi) ?? this.abi;
  }

  /** Handshake, register map, symbols placed on this boot, breakpoints planted. */
  async attach(): Promise<void> {
    const c = this.client;
    await c.qSupported();
    let regs = await c.readTargetDescription();
    const layout = regs ? undefined : this.opts.profile.registersLayout;
    if (!regs && layout) {
      // A stub with fixed registers and no target.xml (QEMU's MIPS): the profile names the layout,
      // checked against the size of the stub's `g` reply below.
      regs = BUILTIN_LAYOUTS[layout]!();
      c.registers = regs;
    }
    if (!regs) throw new UserError('GUEST_UNSUPPORTED', `the stub sends no target description; profile ${this.opts.profile.name} needs one (or a registers_layout)`);
    this.regs = regs;
    for (const r of this.neededRegisters(true)) {
      if (!regs.byName.has(r)) {
        throw new UserError('GUEST_UNSUPPORTED', `the guest has no register '${r}' (architecture ${regs.architecture ?? 'unknown'}); is profile ${this.opts.profile.name} right for it?`);
      }
    }
    await c.haltReason();
    const g = await c.readAllRegisters(); // sets the g offsets
    if (layout && g.length !== gPacketSize(regs)) {
      throw new UserError('GUEST_UNSUPPORTED', `the stub's g reply has ${g.length} bytes, registers_layout ${layout} expects ${gPacketSize(regs)}: is profile ${this.opts.profile.name} right for this guest?`);
    }
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
    const af = this.opts.profile.asidFrom;
    if (af) this.asidFromAddr = this.symbols.require(af.symbol, 'the address-space key (asid_from)');
    if (this.opts.btf) {
      const r = ProcessReader.create(this.opts.btf, this.symbols);
      if (typeof r === 'string') this.opts.info(`warning: processes will not be named (${r}); events carry asids only`);
      else this.procReader = r;
    }
    if (this.mode === 'exit') return this.plantExitMode();
    if (this.mode === 'selective') return this.plantSelective();
    for (const e of this.opts.profile.entries) {
      if (e.optional && !e.locate && this.symbols.lookup(e.symbol) === undefined) {
        this.opts.info(`note: no ${e.symbol} in this kernel's symbols: its ${e.abi} calls are not caught there`);
        continue;
      }
      let addr = e.locate ? await this.locateEntry(e) : this.symbols.require(e.symbol, `${this.opts.profile.name} entry point`);
      let where = e.symbol;
      if (e.after) {
        const off = await this.findAfter(addr, e.after.insn, e.after.within);
        if (off === undefined) {
          throw new UserError('GUEST_UNSUPPORTED', `no instruction 0x${e.after.insn.toString(16).padStart(8, '0')} within ${e.after.within} bytes of ${e.symbol}: is profile ${this.opts.profile.name} right for this kernel?`);
        }
        addr += BigInt(off);
        where = `${e.symbol}+0x${off.toString(16)} (after instruction 0x${e.after.insn.toString(16).padStart(8, '0')})`;
      }
      this.entryBps.set(addr, e);
      await c.insertBreakpoint(addr, 0, this.opts.profile.breakpointKind);
      this.opts.info(`breakpoint on ${where} at 0x${addr.toString(16)}`);
    }
    if (this.opts.profile.execCommit) this.execBp = this.symbols.lookup(this.opts.profile.execCommit);
  }

  /**
   * The address of an entry that has no symbol (Windows): the word at a fixed guest address
   * (SharedUserData->SystemCall), or the handler of an IDT gate that user mode may call (DPL 3,
   * Windows 2000's int 2Eh); the guest boots on until it has set them up.
   */
  private async locateEntry(e: ProfileEntry): Promise<bigint> {
    const loc = e.locate!;
    const w = this.opts.profile.wordSize;
    if ('pointer' in loc) {
      const where = `0x${loc.pointer.toString(16)}`;
      return this.untilReady(async () => {
        const b = await this.memory.read(loc.pointer, w);
        const v = b && b.length === w ? readUintLE(b) : 0n;
        if (v === 0n) return { reason: `no address at ${where} yet` };
        const code = await this.memory.read(v, 1);
        return code && code.length === 1 ? v : { reason: `0x${v.toString(16)} (the address at ${where}) is not mapped` };
      }, `find the entry point through the pointer at ${where}`);
    }
    const size = w === 8 ? 16 : 8;
    return this.untilReady(async () => {
      const base = parseIdtBase(await this.client.monitor('info registers'));
      if (base === undefined || base === 0n) return { reason: 'no IDT yet' };
      const gate = await this.memory.read(base + BigInt(loc.idt * size), size);
      if (!gate || gate.length < size) return { reason: `IDT at 0x${base.toString(16)} not readable` };
      // Access byte: present (bit 7), DPL 3 (bits 5-6): a gate user mode may call.
      if ((gate[5]! & 0xe0) !== 0xe0) return { reason: `IDT vector 0x${loc.idt.toString(16)} is not a present DPL-3 gate yet` };
      return gateTarget(gate, w);
    }, `find IDT vector 0x${loc.idt.toString(16)}`);
  }

  /** The registers this profile reads at its stops (`all`: also those of its user convention that no stop reads). */
  private neededRegisters(all = false): string[] {
    const p = this.opts.profile;
    const r = p.registers;
    const names = [r.ret, r.sp, r.pc];
    if (!p.asidFrom) names.push(r.asid);
    if (r.errflag) names.push(r.errflag);
    for (const a of Object.values(p.abis)) {
      names.push(a.registers.ret, a.registers.sp);
      if (a.registers.errflag) names.push(a.registers.errflag);
    }
    // Entries given pt_regs take the number, arguments and return site from there.
    if (all || p.entries.some((e) => e.regsArg === undefined)) names.push(...r.args, r.nr, r.retaddr);
    for (const e of p.entries) {
      if (e.regsArg) names.push(e.regsArg);
      if (e.nr) names.push(e.nr);
      if (e.stackArgs?.base) names.push(e.stackArgs.base);
    }
    if (p.exitStop) names.push(p.exitStop.regsArg);
    return [...new Set(names)];
  }

  /** Offset just past the first `insn` (a little-endian word) within `within` bytes of `addr`. */
  private async findAfter(addr: bigint, insn: number, within: number): Promise<number | undefined> {
    // Without KASLR nothing has waited for the kernel yet: at QEMU's first stop the MMU may be
    // off (armhf starts in the zImage decompressor), so let it boot until its text is mapped.
    const code = await this.untilReady(
      async () => (await this.memory.read(addr, within)) ?? { reason: `kernel text at 0x${addr.toString(16)} is not mapped yet` },
      'read the kernel entry code',
    );
    for (let off = 0; off + 4 <= code.length; off += 4) {
      if (code.readUInt32LE(off) === insn) return off + 4;
    }
    return undefined;
  }

  private async plantSelective(): Promise<void> {
    const es = this.opts.profile.exitStop;
    if (!es) throw new UserError('GUEST_UNSUPPORTED', `profile ${this.opts.profile.name} cannot stop for selected calls only (no handler symbols)`);
    for (const name of this.opts.only!) {
      const info = this.opts.table.byShortName(name);
      if (!info) throw new UserError('USAGE', `no syscall '${name}' in profile ${this.opts.profile.name}`);
      const sym = es.handler.replace('{name}', info.fn.replace(/^sys_/, ''));
      const addr = this.symbols.require(sym, `handler of ${name}`);
      this.selectedBps.set(addr, { name, abi: this.abi });
      await this.client.insertBreakpoint(addr, 0, this.opts.profile.breakpointKind);
      // The same call of further ABIs (32-bit programs on x86_64), where their table has it.
      for (const abi of this.abis.values()) {
        const other = abi.selectHandlers ? abi.table.byShortName(name) : undefined;
        if (!other) continue;
        const stem = other.fn.replace(/^sys_/, '');
        const at = abi.selectHandlers!.map((h) => this.symbols.lookup(h.replace('{name}', stem))).find((a) => a !== undefined);
        if (at === undefined || this.selectedBps.has(at)) continue;
        this.selectedBps.set(at, { name, abi });
        await this.client.insertBreakpoint(at, 0, this.opts.profile.breakpointKind);
      }
    }
    if (this.opts.profile.execCommit) this.execBp = this.symbols.lookup(this.opts.profile.execCommit);
    this.opts.info(`selective: stopping only for ${this.opts.only!.join(', ')}`);
  }

  private async plantExitMode(): Promise<void> {
    const es = this.opts.profile.exitStop;
    if (!es) throw new UserError('GUEST_UNSUPPORTED', `profile ${this.opts.profile.name} has no one-stop-per-call mode; use --mode entry`);
    const kind = this.opts.profile.breakpointKind;
    this.exitBp = this.symbols.require(es.symbol, 'the syscall exit path');
    let where = es.symbol;
    if (this.opts.profile.arch === 'x86_64') {
      // A function that starts by pushing a register: the breakpoint goes after the push when
      // the next instruction can be applied from outside (no single-step to leave it).
      const code = await this.memory.read(this.exitBp, 16);
      const push = code && !decodeSkip(code) ? pushLength(code) : undefined;
      if (code && push !== undefined && decodeSkip(code.subarray(push))) {
        this.exitBp += BigInt(push);
        where = `${es.symbol}+${push}`;
      }
    }
    await this.client.insertBreakpoint(this.exitBp, 0, kind);
    this.opts.info(`one stop per call: breakpoint on ${where} at 0x${this.exitBp.toString(16)}`);
    const missing: string[] = [];
    const handlers: Array<[string, string, Abi]> = es.entryCalls.map((name) => [name, es.handler.replace('{name}', name), this.abi]);
    // Further ABIs told apart by their user code segment (32-bit calls on x86_64) have their own.
    for (const abi of this.abis.values()) {
      for (const [name, sym] of Object.entries(abi.handlers ?? {})) handlers.push([name, sym, abi]);
    }
    for (const [name, sym, abi] of handlers) {
      const addr = this.symbols.lookup(sym);
      if (addr === undefined) {
        missing.push(sym);
        continue;
      }
      if (this.handlerBps.has(addr)) continue;
      this.handlerBps.set(addr, { name, abi });
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
    const all = [...this.entryBps.keys(), ...this.handlerBps.keys(), ...this.selectedBps.keys()];
    if (this.exitBp !== undefined) all.push(this.exitBp);
    if (this.execBpPlanted && this.execBp !== undefined) all.push(this.execBp);
    for (const addr of all) await c.removeBreakpoint(addr, 0, kind).catch(() => undefined);
    for (const [addr, bp] of this.returnBps) {
      if (!this.entryBps.has(addr)) await c.removeBreakpoint(addr, 0, bp.kind).catch(() => undefined);
    }
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
    if (this.isOurs(pc)) this.curAsid = await this.readAsid(reg, cpu);
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
    // A `c` from a breakpoint's address reports it again at once: apply the instruction from
    // outside where it is simple (kernel breakpoints on x86_64), else step this vCPU alone.
    if (stepOver && !this.stopRequested) {
      const skip = await this.skipAt(pc);
      if (skip) await this.applySkip(skip, pc, reg);
      else await this.stepOff(thread, pc);
    }
  }

  /**
   * Steps vCPU `thread` off the breakpoint at `pc`. A step that leaves the vCPU where it was
   * (seen under load: the same breakpoint then reported a second time, a duplicate call) is
   * repeated, twice at most.
   */
  private async stepOff(thread: string, pc: bigint): Promise<void> {
    for (let i = 0; i < 3; i++) {
      const st = await this.client.stepThread(thread);
      if (st.kind !== 'signal' || (st.thread !== undefined && st.thread !== thread)) return;
      if ((await this.client.readRegister(this.opts.profile.registers.pc)) !== pc) return;
      this.stats.restepped++;
    }
  }

  /** How to leave the kernel breakpoint at `pc` without a step, decided at its first hit. */
  private async skipAt(pc: bigint): Promise<Skip | null> {
    let skip = this.skips.get(pc);
    if (skip !== undefined) return skip;
    skip = null;
    // Kernel breakpoints only: user return sites are other programs' code, shared by many.
    const kernel = this.entryBps.has(pc) || pc === this.exitBp || this.handlerBps.has(pc) || this.selectedBps.has(pc) || pc === this.execBp;
    // SYSTRACE_STEP_OVER=1 turns this off (for measuring what it saves: bench/run.mjs).
    if (this.opts.profile.arch === 'x86_64' && kernel && !this.returnBps.has(pc) && this.regs.byName.has('rip') && process.env.SYSTRACE_STEP_OVER !== '1') {
      const code = await this.memory.read(pc, 16);
      skip = (code && decodeSkip(code)) ?? null;
      const uses = [...(skip?.mov ? [skip.mov.dst, skip.mov.src] : []), ...(skip?.swap ?? [])];
      if (uses.some((r) => !this.regs.byName.has(r))) skip = null;
    }
    this.skips.set(pc, skip);
    return skip;
  }

  private async applySkip(skip: Skip, pc: bigint, reg: (n: string) => bigint): Promise<void> {
    const write = async (name: string, value: bigint): Promise<void> => {
      const r = this.regs.byName.get(name)!;
      const bytes = Buffer.alloc(r.bitsize / 8);
      for (let i = 0; i < bytes.length; i++) bytes[i] = Number((value >> BigInt(8 * i)) & 0xffn);
      await this.client.writeRegisterRaw(r.regnum, bytes);
    };
    if (skip.mov) await write(skip.mov.dst, reg(skip.mov.src));
    if (skip.swap) {
      // Registers outside `g` (the GS bases on QEMU's x86_64) are read with `p`.
      const [a, b] = skip.swap;
      const va = this.regs.byName.get(a)!.gOffset === undefined ? await this.client.readRegister(a) : reg(a);
      const vb = this.regs.byName.get(b)!.gOffset === undefined ? await this.client.readRegister(b) : reg(b);
      await write(a, vb);
      await write(b, va);
    }
    await write('rip', pc + BigInt(skip.len));
    this.stats.skipped++;
  }

  private isOurs(pc: bigint): boolean {
    return this.entryBps.has(pc) || pc === this.exitBp || this.handlerBps.has(pc) || this.selectedBps.has(pc) || this.returnBps.has(pc) || (this.execBpPlanted && pc === this.execBp);
  }

  /** The address-space key at this stop: a register, or a per-CPU word in guest memory (asid_from). */
  private async readAsid(reg: (n: string) => bigint, cpu: number): Promise<bigint> {
    const p = this.opts.profile;
    if (this.asidFromAddr === undefined) return reg(p.registers.asid) & p.asidMask;
    const word = p.asidFrom!.stride;
    const at = this.asidFromAddr + BigInt(cpu * word);
    let b = await this.memory.read(at, word);
    // MIPS user mode cannot see kseg0, and QEMU's debug reads go through the vCPU's current
    // mode: at a user return site the word is read physically (asid_from.physical_mask).
    const mask = p.asidFrom!.physicalMask;
    if ((!b || b.length !== word) && mask !== undefined) b = await this.client.readPhysicalPartial(at & mask, word);
    return b && b.length === word ? readUintLE(b) & p.asidMask : 0n;
  }

  private asidOf(_reg: (n: string) => bigint): bigint {
    return this.curAsid;
  }

  /** A value of a 32-bit ABI as the 64-bit two's complement the rest of the code reads. */
  private widen(abi: Abi, v: bigint): bigint {
    return abi.wordSize === 4 ? BigInt.asUintN(64, BigInt.asIntN(32, v)) : v;
  }

  /**
   * The raw argument words of a call: registers up to `stackArgs.from`, then words from the
   * stack (as many as the prototype takes; none for an unknown call).
   */
  private async withStackArgs(entry: ProfileEntry, abi: Abi, info: SyscallInfo | undefined, regs: bigint[], sp: bigint, reg: (n: string) => bigint): Promise<bigint[]> {
    const sa = entry.stackArgs;
    if (!sa) return regs;
    const out = regs.slice(0, sa.from);
    while (out.length < sa.from) out.push(0n);
    // Register slots the prototype takes: a 64-bit value takes two on a 32-bit ABI (plus one of
    // alignment where pairs are aligned). An unknown call gets as many as the convention has
    // argument registers (strace prints them all: i386's 6th from the stack on the vDSO path).
    let slots = info ? 0 : Math.max(regs.length, sa.unknown ?? 0);
    for (const a of info?.args ?? []) {
      if (abi.pairs && a.size === 8 && !a.pointer) slots += abi.pairs.pairs === 'aligned' ? 3 : 2;
      else slots++;
    }
    const n = Math.min(Math.max(0, slots - sa.from), 16);
    if (n === 0) return out;
    const w = abi.wordSize;
    const base = (sa.base ? reg(sa.base) : sp) + BigInt(sa.offset);
    const b = await this.memory.read(base, n * w);
    for (let i = 0; i < n; i++) out.push(b && b.length >= (i + 1) * w ? readUintLE(b, i * w, w) : 0n);
    return out;
  }

  /** Return site and the sp seen there, when the call returns through a stub's `ret` (return_from_stack). */
  private async returnSite(entry: ProfileEntry, abi: Abi, sp: bigint, retaddr: bigint): Promise<{ sp: bigint; retaddr: bigint }> {
    const rs = entry.returnFromStack;
    if (!rs) return { sp, retaddr };
    const w = abi.wordSize;
    const b = await this.memory.read(sp + BigInt(rs.ip), w);
    return { sp: BigInt.asUintN(w * 8, sp + BigInt(rs.spAdd)), retaddr: b && b.length === w ? readUintLE(b) : retaddr };
  }

  private async onEntry(reg: (n: string) => bigint, pc: bigint, cpu: number, entry: ProfileEntry): Promise<void> {
    const abi = this.abiOf(entry);
    if (entry.regsArg !== undefined) {
      // A C function given the saved user registers (arm64 invoke_syscall(regs, scno, ...)),
      // or an asm entry once it has saved them (regs_arg: sp): arguments, user sp and return
      // site from pt_regs, the number from a register or pt_regs.
      const regs = await this.readPtRegs(reg, entry.regsArg, entry.ptRegs ?? abi.ptRegs);
      if (!regs) return;
      this.stats.entries++;
      const no = entry.nr !== undefined ? Number(BigInt.asIntN(32, reg(entry.nr))) : undefined;
      await this.startCall(await this.pendingFromPtRegs(regs, this.asidOf(reg), abi, no, entry, reg), cpu, pc);
      return;
    }
    this.stats.entries++;
    const p = this.opts.profile.registers;
    const no = Number(BigInt.asIntN(32, reg(p.nr)));
    const info = abi.table.getSyscallInfo(no);
    const sp = reg(p.sp);
    const raw = await this.withStackArgs(entry, abi, info, p.args.map(reg), sp, reg);
    const args = argsOf(info, raw, abi.pairs);
    await decodeEnter(info, args, this.memory, this.decodeOpts);
    const name = callName(info, no);
    const site = await this.returnSite(entry, abi, sp, reg(p.retaddr));
    const pend: Pending = {
      call: ++this.calls, info, no, name, args, asid: this.asidOf(reg), sp: site.sp, retaddr: site.retaddr, abi,
      retKind: this.opts.profile.breakpointKind, forkLike: FORK_LIKE.has(name), parentSeen: false, childSeen: false,
    };
    await this.startCall(pend, cpu, pc);
  }

  /** Selective mode: a selected call stopped at its handler; its return is caught in user space. */
  private async onSelected(reg: (n: string) => bigint, pc: bigint, cpu: number): Promise<void> {
    const regs = await this.readPtRegs(reg, undefined, this.selectedBps.get(pc)!.abi.ptRegs);
    if (!regs) return;
    // By the caller's code segment: a handler of no arguments serves both x86_64 ABIs
    // (SYSCALL_DEFINE0's __x64_sys_X and __ia32_sys_X are aliases, asm/syscall_wrapper.h).
    const abi = this.abiOfRegs(regs) ?? this.selectedBps.get(pc)!.abi;
    this.stats.entries++;
    await this.startCall(await this.pendingFromPtRegs(regs, this.asidOf(reg), abi), cpu, pc);
  }

  /** Emits the enter event of a call and, unless it never returns, waits for its return. */
  private async startCall(pend: Pending, cpu: number, pc: bigint): Promise<void> {
    const { name, info, args } = pend;
    if (this.curProc) pend.proc = this.curProc;
    if (name === 'exit_group') await this.reapProcess(cpu, pc);
    const ev = this.event('enter', pend, cpu, pc);
    const sr = pend.abi.sigreturn?.find((s) => s.name === name);
    if (sr) {
      await this.emitSigreturn(ev, pend, sr);
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
    if (old && old.forkLike && old.parentSeen && !old.childSeen) {
      // A fork whose parent has returned and called again through the same site (a shared
      // helper: i386's __kernel_vsyscall callers) before the child ran: the child's return,
      // in its own address space, is still to come.
      this.pending.delete(key);
      this.awaitingChild.push(old);
      while (this.awaitingChild.length > this.maxPending) await this.finish(this.awaitingChild[0]!, undefined, cpu, pc, true);
    } else if (old) {
      // The same thread entered again at the same site: the old call was restarted or its
      // return was lost (a signal handler that longjmp'd away).
      await this.finish(old, undefined, cpu, pc, false);
    }
    this.pending.set(key, pend);
    await this.addReturnBp(pend.retaddr, pend.retKind);
    if (EXEC_LIKE.has(name)) await this.armExec();
    await this.reap(cpu, pc);
  }

  /** A sigreturn (rt_sigreturn, ARM and i386 sigreturn): complete at entry, with the mask and return value its frame restores. */
  private async emitSigreturn(ev: TraceEvent, pend: Pending, sr: SigreturnSpec): Promise<void> {
    const word = pend.abi.wordSize;
    let mask = await this.memory.read(pend.sp + BigInt(sr.maskOffset), sr.maskHighOffset === undefined ? 8 : 4);
    if (mask && sr.maskHighOffset !== undefined) {
      const high = await this.memory.read(pend.sp + BigInt(sr.maskHighOffset), 4);
      mask = high && mask.length === 4 && high.length === 4 ? Buffer.concat([mask, high]) : null;
    }
    const rax = await this.memory.read(pend.sp + BigInt(sr.retOffset), word);
    const restored = rax && rax.length === word ? this.widen(pend.abi, readUintLE(rax)) : undefined;
    this.fillReturn(ev, pend, restored);
    const maskText = mask && mask.length === 8 ? `{mask=${sigset(readUintLE(mask), 64, 'abbrev', this.errnoArch)}}` : '';
    ev.line = `${pend.name}(${maskText}) = ${ev.retText}`;
    ev.noreturn = true;
    this.opts.emit(ev);
  }

  /** Reads the saved user registers (struct pt_regs) the kernel function got in `regsArg`. */
  private async readPtRegs(reg: (n: string) => bigint, regsArg = this.opts.profile.exitStop!.regsArg, layout = this.opts.profile.ptRegs!): Promise<{ at: bigint; get: (off: number) => bigint } | null> {
    const size = layout.size;
    const at = reg(regsArg);
    const buf = await this.memory.read(at, size);
    if (!buf || buf.length < size) return null;
    const word = this.opts.profile.wordSize;
    return { at, get: (off) => readUintLE(buf, off, word) };
  }

  /** A pending call built from saved pt_regs (its number from there unless given). */
  private async pendingFromPtRegs(
    regs: { get: (off: number) => bigint }, asid: bigint, abi: Abi, nr?: number, entry?: ProfileEntry, reg?: (n: string) => bigint,
  ): Promise<Pending> {
    const pr = entry?.ptRegs ?? abi.ptRegs ?? this.opts.profile.ptRegs!;
    const w = abi.wordSize;
    const word = (off: number): bigint => BigInt.asUintN(w * 8, regs.get(off));
    const no = nr ?? Number(BigInt.asIntN(32, regs.get(pr.nr)));
    const info = abi.table.getSyscallInfo(no);
    const sp = word(pr.sp);
    let raw = pr.args.map(word);
    if (entry && reg) raw = await this.withStackArgs(entry, abi, info, raw, sp, reg);
    const args = argsOf(info, raw, abi.pairs);
    await decodeEnter(info, args, this.memory, this.decodeOpts);
    const name = callName(info, no);
    const site = entry ? await this.returnSite(entry, abi, sp, word(pr.ip)) : { sp, retaddr: word(pr.ip) };
    const thumb = pr.thumb && (regs.get(pr.thumb.offset) & pr.thumb.mask) !== 0n;
    return {
      call: ++this.calls, info, no, name, args, asid, sp: site.sp, retaddr: site.retaddr, abi,
      retKind: thumb && this.opts.profile.thumbBreakpointKind !== undefined ? this.opts.profile.thumbBreakpointKind : this.opts.profile.breakpointKind,
      forkLike: FORK_LIKE.has(name), parentSeen: false, childSeen: false,
    };
  }

  /** Exit mode: a call whose facts are gone by its exit, stopped at its handler. */
  private async onHandler(reg: (n: string) => bigint, pc: bigint, cpu: number): Promise<void> {
    const bp = this.handlerBps.get(pc)!;
    const regs = await this.readPtRegs(reg, undefined, bp.abi.ptRegs);
    if (!regs) return;
    this.stats.entries++;
    // The caller's ABI by its code segment, where a handler could serve both (onSelected).
    const pend = await this.pendingFromPtRegs(regs, this.asidOf(reg), this.abiOfRegs(regs) ?? bp.abi);
    if (this.curProc) pend.proc = this.curProc;
    const ev = this.event('enter', pend, cpu, pc);
    const sr = pend.abi.sigreturn?.find((s) => s.name === pend.name);
    if (sr) return this.emitSigreturn(ev, pend, sr);
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

  /**
   * The ABI of the call whose saved registers these are, by their user code segment where the
   * profile tells ABIs apart so (exit_stop.user_cs, abis.*.exit_stop.user_cs); undefined where
   * it does not, null for a segment no ABI has.
   */
  private abiOfRegs(regs: { get: (off: number) => bigint }): Abi | null | undefined {
    const es = this.opts.profile.exitStop;
    if (!es || es.ptRegs.cs === undefined || es.userCs === undefined) return undefined;
    const cs = Number(regs.get(es.ptRegs.cs) & 0xffffn);
    if (cs === es.userCs) return this.abi;
    return [...this.abis.values()].find((a) => a.userCs === cs) ?? null;
  }

  /** Exit mode: the one stop of a call, with everything in pt_regs. */
  private async onExitStop(reg: (n: string) => bigint, pc: bigint, cpu: number): Promise<void> {
    const es = this.opts.profile.exitStop!;
    const regs = await this.readPtRegs(reg);
    if (!regs) return;
    // The caller's ABI by its user code segment (x86_64: 0x33 64-bit, 0x23 32-bit calls).
    const found = this.abiOfRegs(regs);
    if (found === null) {
      if (!this.warnedAbi) this.opts.info(`warning: system calls from user code segment 0x${(regs.get(es.ptRegs.cs!) & 0xffffn).toString(16)} seen; this profile describes no ABI for it, they are skipped`);
      this.warnedAbi = true;
      return;
    }
    const abi = found ?? this.abi;
    const layout = abi.ptRegs ?? es.ptRegs;
    const nr = BigInt.asIntN(abi.wordSize * 8, regs.get(layout.nr));
    if (nr < 0n) return; // not a system call (or rt_sigreturn, seen at its handler)
    const asid = this.asidOf(reg);
    const ret = this.widen(abi, regs.get(layout.ret));
    let pend = this.atHandler.get(regs.at);
    // An execve that changed the ABI leaves with the new one's number for it (x86_64
    // set_personality_ia32 / set_personality_64bit rewrite orig_ax, arch/x86/kernel/process_64.c).
    const execSwitched = pend !== undefined && pend.abi !== abi && EXEC_LIKE.has(pend.name) && EXEC_LIKE.has(callName(abi.table.getSyscallInfo(Number(nr)), Number(nr)));
    if (pend && (pend.no === Number(nr) || execSwitched)) {
      this.atHandler.delete(regs.at);
    } else {
      pend = await this.pendingFromPtRegs(regs, asid, abi);
      this.stats.entries++;
      const enter = this.event('enter', pend, cpu, pc);
      enter.late = true;
      this.opts.emit(enter);
    }
    this.stats.returns++;
    await decodeReturn(pend.info, pend.args, ret, this.memory, this.decodeOpts);
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
    let pend = this.pending.get(this.key(asid, sp, pc));
    // The return value as the caller's ABI has it (a 32-bit call on a 64-bit kernel reads
    // eax; MIPS flags an error in a3, with a positive errno in v0).
    const retOf = (abi: Abi): bigint => {
      const v = this.widen(abi, reg(abi.ret));
      return abi.errflag && reg(abi.errflag) !== 0n ? BigInt.asUintN(64, -BigInt.asIntN(64, v)) : v;
    };
    let ret = retOf(pend?.abi ?? this.abi);
    let child = false;
    if (pend && pend.forkLike && BigInt.asIntN(64, ret) === 0n) child = true;
    if (!pend && BigInt.asIntN(64, ret) === 0n) {
      // A fork child returns in a new address space; a thread from clone on its new stack.
      for (const cand of [...this.pending.values(), ...this.awaitingChild].reverse()) {
        if (cand.forkLike && !cand.childSeen && cand.retaddr === pc && BigInt.asIntN(64, retOf(cand.abi)) === 0n) {
          pend = cand;
          ret = retOf(cand.abi);
          child = true;
          break;
        }
      }
    }
    // A fork-like call stays pending after one side returned: the same side stopping there again
    // is the return instruction run a second time (an interrupt taken during the step off the
    // breakpoint returns to it: seen on MIPS), not a second return.
    if (!pend || (child ? pend.childSeen : pend.parentSeen)) {
      this.stats.strayReturns++;
      return;
    }
    this.stats.returns++;
    await decodeReturn(pend.info, pend.args, ret, this.memory, this.decodeOpts);
    const ev = this.event('return', pend, cpu, pc);
    if (child) {
      ev.child = true;
      ev.asid = '0x' + asid.toString(16);
      ev.sp = '0x' + sp.toString(16);
      pend.childSeen = true;
    } else pend.parentSeen = true;
    this.fillReturn(ev, pend, ret);
    this.opts.emit(ev);
    const failed = errnoOf(ret, pend.abi.errnoMax) !== undefined;
    const done = !pend.forkLike || (pend.parentSeen && (pend.childSeen || failed));
    if (done) await this.drop(pend);
  }

  private async onExecCommit(reg: (n: string) => bigint, cpu: number): Promise<void> {
    const asid = this.asidOf(reg);
    // Under page-table isolation the kernel's CR3 differs from the user's in bit 12.
    const cands = [...this.pending.values()].filter((p) => EXEC_LIKE.has(p.name));
    const pend = cands.find((p) => p.asid === asid) ?? cands.find((p) => (p.asid | 0x1000n) === (asid | 0x1000n));
    if (pend) {
      await decodeReturn(pend.info, pend.args, 0n, this.memory, this.decodeOpts);
      const ev = this.event('return', pend, cpu, this.execBp!);
      this.fillReturn(ev, pend, 0n);
      this.opts.emit(ev);
      await this.drop(pend);
    }
    if (![...this.pending.values()].some((p) => EXEC_LIKE.has(p.name))) await this.disarmExec();
  }

  private fillReturn(ev: TraceEvent, pend: Pending, ret: bigint | undefined): void {
    const size = pend.abi.wordSize;
    // Windows returns an NTSTATUS, never an errno.
    ev.retText = this.opts.profile.os === 'windows' ? formatNtStatus(ret) : formatReturn(pend.name, ret, pend.abi.errnoMax, size, pend.args, this.errnoArch);
    if (ret !== undefined) {
      // An NTSTATUS is a 32-bit LONG on both word sizes.
      ev.ret = Number(BigInt.asIntN(this.opts.profile.os === 'windows' ? 32 : size * 8, ret));
      const e = errnoOf(ret, pend.abi.errnoMax);
      if (e !== undefined) ev.errno = (this.errnoArch === 'mips' ? mipsErrno(e) : ERRNO.get(e))?.[0] ?? `errno${e}`;
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
    this.awaitingChild = []; // their parents have returned: nothing more to report
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
    const key = this.key(pend.asid, pend.sp, pend.retaddr);
    if (this.pending.get(key) === pend) this.pending.delete(key);
    else this.awaitingChild = this.awaitingChild.filter((p) => p !== pend);
    await this.decReturnBp(pend.retaddr);
  }

  private async addReturnBp(addr: bigint, kind: number): Promise<void> {
    const bp = this.returnBps.get(addr);
    if (bp) {
      bp.n++;
      return;
    }
    if (!this.entryBps.has(addr)) await this.client.insertBreakpoint(addr, 0, kind);
    this.returnBps.set(addr, { n: 1, kind });
  }

  private async decReturnBp(addr: bigint): Promise<void> {
    const bp = this.returnBps.get(addr);
    if (!bp) return;
    if (--bp.n > 0) return;
    this.returnBps.delete(addr);
    if (!this.entryBps.has(addr)) await this.client.removeBreakpoint(addr, 0, bp.kind);
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
      ts: wallClock(),
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
      abi: pend.abi.name,
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

/** Seconds since the epoch, to the microsecond (Date.now() has only milliseconds: -tt, -T). */
function wallClock(): number {
  return Math.round((performance.timeOrigin + performance.now()) * 1000) / 1e6;
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
