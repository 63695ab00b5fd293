/**
 * The probe engine (`--engine probe`, docs/probe.md): a recorder placed in the guest kernel
 * writes one record per system-call entry and return into per-CPU rings; systrace drains
 * them while the guest is stopped by an interrupt (no translation-cache flush) at an
 * adaptive period, or by the recorder's doorbell breakpoint when a ring passes its high-water
 * mark, and turns records into the same TraceEvents the breakpoint engine emits, decoded by
 * the same decoder over the bytes the recorder captured.
 *
 * x86_64 Linux 6.1 (generic entry): see call-sites.ts for what is patched.
 */
import type { GdbClient } from '../gdbstub/client.js';
import { RspError } from '../gdbstub/errors.js';
import { readUintLE } from '../gdbstub/framing.js';
import type { StopReply } from '../gdbstub/stop-reply.js';
import type { RegisterMap } from '../gdbstub/target-description.js';
import { argsOf, callName, decodeEnter, decodeReturn, errnoOf, formatReturn, joinArgs, sigset, type DecodedArg } from '../decode/decoder.js';
import type { GuestMemory } from '../decode/memory.js';
import type { SyscallInfo } from '../decode/prototypes.js';
import { ERRNO } from '../decode/tables/errno.js';
import type { SymbolTable } from '../symbols/system-map.js';
import type { EventArg, TraceEvent } from '../trace/event.js';
import { StubMemory } from '../trace/guest-memory.js';
import type { SessionEnd, SessionOptions } from '../trace/session.js';
import { UserError } from '../util/errors.js';
import { CaptureMemory } from './capture-memory.js';
import { captureTable } from './captures.js';
import { findRel32, retarget, SITES, type CallSite } from './call-sites.js';
import { cpuOfThread, GuestCaller, type StoppedAt } from './guest-call.js';
import { C, CODE_SIZE, CPU_RING_SIZE, CTRL_OFF, CTRL_SIZE, MAX_CPUS, parseRecords, RecType, RINGS_OFF, type ProbeRecord } from './layout.js';
import { RECORDER_CODE, RECORDER_SYMBOLS } from './recorder-bytes.js';

export interface ProbeOptions extends SessionOptions {
  /** Bytes of ring per CPU (a power of two); default 1 MiB. */
  ringSize?: number;
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
  entry: ProbeRecord;
  forkLike: boolean;
  childSeen: boolean;
}

const FORK_LIKE = new Set(['fork', 'vfork', 'clone', 'clone3']);
const PERIOD_MIN = 1;
const PERIOD_MAX = 100;

export class ProbeSession {
  private regs!: RegisterMap;
  private symbols!: SymbolTable;
  private readonly memory: StubMemory;
  private base = 0n;
  private ncpus = 0;
  private readonly ringSize: number;
  private readonly sites: CallSite[] = [];
  private patched = false;
  private readonly patchedSites = new Set<CallSite>();
  private doorbellFull = 0n;
  private doorbellLive = 0n;
  private readonly pending = new Map<bigint, Pending>();
  /** Fork-like calls whose child has not returned yet (newest last). */
  private readonly forks: Pending[] = [];
  private seq = 0;
  private calls = 0;
  private running = false;
  private interrupted = false;
  private stopRequested = false;
  private period = 10;
  private tsc0: bigint | undefined;
  private t0 = 0;
  private tscKhz = 0;
  /** tsc_khz (arch/x86/kernel/tsc.c): 0 until the kernel has calibrated its TSC, so read at the first drain. */
  private tscKhzAt = 0n;
  private lostSeen = 0n;
  private threadList: string[] | undefined;
  /** Records drained and being turned into events while the guest runs. */
  private backlog: Promise<void> = Promise.resolve();
  private uncapturedWarned = false;
  readonly mode = 'probe' as const;
  readonly stats = { stops: 0, entries: 0, returns: 0, strayReturns: 0, lost: 0, drains: 0, doorbells: 0, bytes: 0, uncaptured: 0, malformed: 0, stoppedMs: 0 };

  constructor(private readonly client: GdbClient, private readonly opts: ProbeOptions) {
    this.memory = new StubMemory(client);
    this.ringSize = opts.ringSize ?? 1 << 20;
    if (this.ringSize < 0x10000 || (this.ringSize & (this.ringSize - 1)) !== 0) throw new UserError('USAGE', `probe ring size ${this.ringSize}: a power of two of at least 64 KiB`);
    if (opts.profile.name !== 'linux_x64') throw new UserError('USAGE', `--engine probe supports profile linux_x64 only (not ${opts.profile.name})`);

  }

  /** Handshake, symbols, then the recorder placed, the call sites patched and checked. */
  async attach(): Promise<void> {
    const c = this.client;
    await c.qSupported();
    const regs = await c.readTargetDescription();
    if (!regs || !regs.byName.has('rip') || !regs.byName.has('cr3')) throw new UserError('GUEST_UNSUPPORTED', '--engine probe needs an x86_64 guest whose stub describes rip and cr3');
    this.regs = regs;
    await c.haltReason();
    await c.readAllRegisters();
    this.symbols = await this.opts.symbols.resolve({
      client: c,
      profile: this.opts.profile,
      info: this.opts.info,
      untilReady: (probe, what) => this.untilReady(probe, what),
    });
    const s = this.symbols;
    const need = (n: string): bigint => s.require(n, 'the probe engine');
    this.ncpus = (await c.threads()).length;
    if (this.ncpus < 1 || this.ncpus > MAX_CPUS) throw new UserError('GUEST_UNSUPPORTED', `the probe handles 1 to ${MAX_CPUS} vCPUs, not ${this.ncpus}`);
    // Refuse before touching anything: each site must hold exactly the call we expect.
    for (const spec of SITES) {
      const caller = need(spec.caller);
      const callee = need(spec.callee);
      const code = await c.readMemory(caller, spec.within);
      const hits = findRel32(code, caller, callee);
      if (hits.length < spec.count[0] || hits.length > spec.count[1]) {
        throw new UserError('GUEST_UNSUPPORTED', `--engine probe: expected ${spec.count[0] === spec.count[1] ? spec.count[0] : `${spec.count[0]} to ${spec.count[1]}`} call(s) of ${spec.callee} in the first 0x${spec.within.toString(16)} bytes of ${spec.caller}, found ${hits.length}: this kernel is not one the probe knows (x86_64 Linux 6.1 generic entry); use --engine breakpoint`);
      }
      for (const h of hits) {
        this.sites.push({ what: `${spec.caller}+0x${h.toString(16)} -> ${spec.callee}`, at: caller + BigInt(h), hook: spec.hook, original: Buffer.from(code.subarray(h, h + 5)), target: callee });
      }
    }
    const fns = { moduleAlloc: need('module_alloc'), setMemoryX: need('set_memory_x'), copy: need('copy_from_user_nofault'), strncpy: need('strncpy_from_user_nofault') };
    const task = this.taskOffsets();
    const cpuNumber = need('cpu_number');
    const currentTask = need('current_task');
    this.tscKhzAt = need('tsc_khz');
    await this.place(fns);
    await this.load({ cpuNumber, currentTask, task, ...fns });
    await this.patch();
    this.opts.info(`probe: recorder at 0x${this.base.toString(16)}, ${this.ncpus} rings of ${this.ringSize >> 10} KiB; patched ${this.sites.map((x) => `${x.what} at 0x${x.at.toString(16)} (was ${x.original.toString('hex')})`).join(', ')}`);
  }

  /** Allocates the probe's memory with the kernel's module_alloc and makes its first page executable. */
  private async place(fns: { moduleAlloc: bigint; setMemoryX: bigint }): Promise<void> {
    const safe = this.symbols.require('syscall_exit_to_user_mode', 'the probe engine');
    const kind = this.opts.profile.breakpointKind;
    const caller = new GuestCaller(this.client, this.regs, safe, this.opts.bootTimeoutMs ?? 180_000);
    await this.client.insertBreakpoint(safe, 0, kind);
    try {
      let at: StoppedAt = await caller.reachSafePoint();
      const size = BigInt(RINGS_OFF + this.ncpus * this.ringSize);
      const alloc = await caller.call(at, fns.moduleAlloc, [size]);
      at = alloc.at;
      if (alloc.ret === 0n || alloc.ret >> 63n === 0n) throw new UserError('GUEST_UNSUPPORTED', `module_alloc(${size}) failed in the guest (returned 0x${alloc.ret.toString(16)})`);
      this.base = alloc.ret;
      const x = await caller.call(at, fns.setMemoryX, [this.base, BigInt(CODE_SIZE / 0x1000)]);
      at = x.at;
      if (BigInt.asIntN(32, x.ret) !== 0n) throw new UserError('GUEST_UNSUPPORTED', `set_memory_x failed in the guest (${BigInt.asIntN(32, x.ret)}); the probe's memory stays allocated`);
      await this.client.removeBreakpoint(safe, 0, kind);
      await caller.leave(at);
    } finally {
      await this.client.removeBreakpoint(safe, 0, kind).catch(() => undefined);
    }
  }

  /** Writes code, control block and capture table; reads them back. */
  /** task_struct offsets from --btf, for the recorder to name each caller; undefined without. */
  private taskOffsets(): { pid: number; tgid: number; comm: number; parent: number } | undefined {
    const btf = this.opts.btf;
    if (!btf) return undefined;
    const get = (m: string): number | undefined => btf.memberOffset('task_struct', m);
    const o = { pid: get('pid'), tgid: get('tgid'), comm: get('comm'), parent: get('real_parent') };
    const missing = Object.entries(o).find(([, v]) => v === undefined);
    if (missing) {
      this.opts.info(`warning: processes will not be named (task_struct.${missing[0]} not in ${btf.source}); events carry asids only`);
      return undefined;
    }
    return o as { pid: number; tgid: number; comm: number; parent: number };
  }

  private async load(a: { cpuNumber: bigint; currentTask: bigint; copy: bigint; strncpy: bigint; task: { pid: number; tgid: number; comm: number; parent: number } | undefined }): Promise<void> {
    const ctrl = Buffer.alloc(CTRL_SIZE);
    const w = (off: number, v: bigint): void => void ctrl.writeBigUInt64LE(BigInt.asUintN(64, v), off);
    w(C.enabled, 0n);
    w(C.ringSize, BigInt(this.ringSize));
    w(C.ncpus, BigInt(this.ncpus));
    w(C.cpuNumber, a.cpuNumber);
    w(C.doSyscall64, this.siteOf('entry_hook').target);
    w(C.exitToUser, this.siteOf('exit_hook').target);
    w(C.copyNofault, a.copy);
    w(C.strncpyNofault, a.strncpy);
    w(C.rings, this.base + BigInt(RINGS_OFF));
    w(C.highWater, BigInt(this.ringSize / 2));
    w(C.currentTask, a.currentTask);
    if (a.task) {
      w(C.taskPid, BigInt(a.task.pid));
      w(C.taskTgid, BigInt(a.task.tgid));
      w(C.taskComm, BigInt(a.task.comm));
      w(C.taskParent, BigInt(a.task.parent));
    }
    const { bytes: table, live } = captureTable(this.opts.table, this.opts.strsize);
    table.copy(ctrl, C.table);
    const code = Buffer.alloc(CODE_SIZE, 0xcc);
    RECORDER_CODE.copy(code);
    await this.writeChecked(this.base, code, 'the recorder code');
    await this.writeChecked(this.base + BigInt(CTRL_OFF), ctrl, 'the control block');
    this.doorbellFull = this.base + BigInt(RECORDER_SYMBOLS.doorbell_full);
    this.doorbellLive = this.base + BigInt(RECORDER_SYMBOLS.doorbell_live);
    const kind = this.opts.profile.breakpointKind;
    await this.client.insertBreakpoint(this.doorbellFull, 0, kind);
    await this.client.insertBreakpoint(this.doorbellLive, 0, kind);
    this.opts.info(`probe: ${live.length} calls decoded live at a doorbell stop (${live.slice(0, 8).join(', ')}${live.length > 8 ? ', ...' : ''})`);
  }

  private async writeChecked(addr: bigint, data: Buffer, what: string): Promise<void> {
    for (let off = 0; off < data.length; off += 0x400) await this.client.writeMemory(addr + BigInt(off), data.subarray(off, off + 0x400));
    const back = await this.client.readMemory(addr, data.length);
    if (!back.equals(data)) throw new UserError('GUEST_UNSUPPORTED', `probe: ${what} did not read back as written at 0x${addr.toString(16)}`);
  }

  /** Enables recording, then sends the three calls to the hooks; each site is read back. */
  private async patch(): Promise<void> {
    await this.setEnabled(true);
    // Exits first: an entry recorded always finds its exit hooked.
    const order = [...this.sites.filter((x) => x.hook !== 'entry_hook'), ...this.sites.filter((x) => x.hook === 'entry_hook')];
    for (const site of order) {
      const bytes = retarget(site, this.base + BigInt(RECORDER_SYMBOLS[site.hook]));
      if (!bytes) throw new UserError('GUEST_UNSUPPORTED', `probe: the recorder at 0x${this.base.toString(16)} is out of reach of ${site.what}`);
      this.patchedSites.add(site);
      await this.client.writeMemory(site.at, bytes);
      const back = await this.client.readMemory(site.at, 5);
      if (!back.equals(bytes)) {
        await this.restore();
        throw new UserError('GUEST_UNSUPPORTED', `probe: the patch of ${site.what} read back as ${back.toString('hex')}, not ${bytes.toString('hex')}; restored`);
      }
      this.patched = true;
    }
  }

  private siteOf(hook: CallSite['hook']): CallSite {
    return this.sites.find((x) => x.hook === hook)!;
  }

  /** Selects a vCPU whose page tables map `addr` (see readHeads); false when none does. */
  private async selectMapping(addr: bigint): Promise<boolean> {
    if (!(await this.client.readMemoryPartial(addr, 1)).error) return true;
    this.threadList ??= await this.client.threads();
    for (const t of this.threadList) {
      await this.client.selectThread(t);
      if (!(await this.client.readMemoryPartial(addr, 1)).error) return true;
    }
    return false;
  }

  private async setEnabled(on: boolean): Promise<void> {
    await this.selectMapping(this.base + BigInt(CTRL_OFF));
    const b = Buffer.alloc(8);
    b.writeBigUInt64LE(on ? 1n : 0n);
    await this.client.writeMemory(this.base + BigInt(CTRL_OFF + C.enabled), b);
  }

  /**
   * Puts every patched byte back and checks it (the recorder's memory stays allocated: a
   * vCPU may be stopped inside it). Returns the sites whose bytes did not read back.
   */
  async restore(): Promise<string[]> {
    const bad: string[] = [];
    if (this.base !== 0n) await this.setEnabled(false).catch(() => undefined);
    const sites = [...this.patchedSites];
    for (const site of sites) {
      try {
        await this.selectMapping(site.at);
        await this.client.writeMemory(site.at, site.original);
        const back = await this.client.readMemory(site.at, 5);
        if (!back.equals(site.original)) bad.push(site.what);
        else this.patchedSites.delete(site);
      } catch (e) {
        if (e instanceof RspError && e.code === 'RSP_ERROR_REPLY') bad.push(site.what);
        else throw e;
      }
    }
    this.patched = false;
    const kind = this.opts.profile.breakpointKind;
    for (const bp of [this.doorbellFull, this.doorbellLive]) if (bp !== 0n) await this.client.removeBreakpoint(bp, 0, kind).catch(() => undefined);
    this.doorbellFull = this.doorbellLive = 0n;
    if (bad.length) this.opts.info(`warning: probe: original bytes did not read back at ${bad.join(', ')}`);
    else if (sites.length) this.opts.info(`probe: original bytes restored and checked at ${sites.length} sites`);
    return bad;
  }

  /** The sites the probe patched, with their original bytes (tests compare them after detach). */
  patchSites(): readonly CallSite[] {
    return this.sites;
  }

  private async untilReady<T>(probe: () => Promise<T | { reason: string }>, what: string): Promise<T> {
    const deadline = Date.now() + (this.opts.bootTimeoutMs ?? 180_000);
    for (let round = 0; ; round++) {
      const r = await probe();
      if (!(typeof r === 'object' && r !== null && 'reason' in r)) return r as T;
      if (Date.now() > deadline || this.stopRequested) throw new UserError('SYMBOL_MISSING', `could not ${what}: ${(r as { reason: string }).reason}`);
      await this.client.continue();
      await sleep(round < 10 ? 50 : 150);
      this.client.interrupt();
      const stop = await this.client.waitStop();
      if (stop.kind !== 'signal') throw new UserError('GUEST_UNSUPPORTED', 'the guest ended before its kernel could be found');
    }
  }

  requestStop(): void {
    if (this.stopRequested) return;
    this.stopRequested = true;
    this.interruptOnce();
  }

  private interruptOnce(): void {
    if (this.running && !this.interrupted) {
      this.interrupted = true;
      this.client.interrupt();
    }
  }

  pendingCalls(): number {
    return this.pending.size;
  }

  /** Runs until the guest exits, the stub goes away, or a stop is requested (then detaches). */
  async run(): Promise<SessionEnd> {
    try {
      for (;;) {
        if (this.stopRequested) return await this.detach();
        await this.client.continue();
        this.running = true;
        this.interrupted = false;
        const timer = setTimeout(() => this.interruptOnce(), this.period);
        if (this.stopRequested) this.interruptOnce();
        let stop: StopReply;
        try {
          stop = await this.client.waitStop();
        } finally {
          clearTimeout(timer);
          this.running = false;
        }
        if (stop.kind === 'exited' || stop.kind === 'terminated') {
          await this.settle();
          this.emitUnfinished();
          this.summary();
          return stop.kind === 'exited' ? { kind: 'guest-exited', status: stop.status } : { kind: 'guest-killed', signal: stop.signal };
        }
        this.stats.stops++;
        const t = performance.now();
        await this.onStop(stop);
        this.stats.stoppedMs += performance.now() - t;
      }
    } catch (e) {
      if (e instanceof RspError && (e.code === 'RSP_DISCONNECTED' || e.code === 'RSP_TIMEOUT')) return { kind: 'stub-lost', error: e };
      throw e;
    }
  }

  /** What the probe did, for the closing messages. */
  private summary(): void {
    const st = this.stats;
    this.opts.info(`probe: ${st.drains} drains (${st.doorbells} at a doorbell), ${(st.bytes / 1e6).toFixed(1)} MB of records read, guest stopped ${(st.stoppedMs / 1000).toFixed(2)} s for them; ${this.lostSeen} records lost`);
  }

  async detach(): Promise<SessionEnd> {
    await this.release();
    this.summary();
    await this.client.detach();
    return { kind: 'detached' };
  }

  /** Stops recording, drains what is left, restores the patched bytes; the guest stays stopped. */
  async release(): Promise<void> {
    if (this.base !== 0n) {
      await this.setEnabled(false).catch(() => undefined);
      if (this.patched) await this.drain(undefined).catch(() => undefined);
    }
    await this.restore();
    await this.settle();
  }

  private async onStop(stop: Extract<StopReply, { kind: 'signal' }>): Promise<void> {
    const thread = stop.thread;
    let pc = 0n;
    if (thread !== undefined) {
      await this.client.selectThread(thread);
      const raw = await this.client.readAllRegisters();
      const rip = this.regs.byName.get('rip')!;
      pc = readUintLE(raw, rip.gOffset!, 8);
    }
    const atDoorbell = thread !== undefined && (pc === this.doorbellFull || pc === this.doorbellLive);
    if (atDoorbell) this.stats.doorbells++;
    const bytes = await this.drain(pc === this.doorbellLive && thread !== undefined ? { thread, cpu: cpuOfThread(thread) } : undefined);
    // Adaptive period: drain sooner when rings fill, later when they stay near empty.
    // The fullest ring decides: at half full its CPU rings the doorbell, a breakpoint stop
    // that costs a translation-cache flush; aim to drain at a quarter.
    const fill = bytes / this.ringSize;
    if (fill > 0.25) this.period = Math.max(PERIOD_MIN, this.period / 2);
    else if (fill < 0.01) this.period = Math.min(PERIOD_MAX, this.period * 1.5);
    if (atDoorbell && !this.stopRequested) await this.client.stepThread(thread!);
  }

  /**
   * Reads every ring from its tail to its head, turns the records into events in timestamp
   * order, and moves the tails. `live`: the vCPU stopped at the live doorbell, whose last
   * record is decoded from the stopped guest's memory; elsewhere a live record is left for
   * its doorbell stop. Returns the bytes found in the fullest ring.
   */
  private async drain(live: { thread: string; cpu: number } | undefined): Promise<number> {
    const c = this.client;
    const ctrl = this.base + BigInt(CTRL_OFF);
    const heads = await this.readHeads(live?.thread);
    if (!heads) return 0; // no vCPU maps the probe's memory right now: next time
    const all: ProbeRecord[] = [];
    const tails: Array<{ cpu: number; tail: bigint }> = [];
    /** Bytes in the fullest ring, and in all. */
    let total = 0;
    let read = 0;
    let lost = 0n;
    for (let cpu = 0; cpu < this.ncpus; cpu++) {
      const head = heads.readBigUInt64LE(cpu * CPU_RING_SIZE);
      const tail = heads.readBigUInt64LE(cpu * CPU_RING_SIZE + 8);
      lost += heads.readBigUInt64LE(cpu * CPU_RING_SIZE + 16);
      const used = Number(head - tail);
      if (used === 0) continue;
      if (used < 0 || used > this.ringSize) {
        this.stats.malformed++;
        tails.push({ cpu, tail: head });
        continue;
      }
      const ring = this.base + BigInt(RINGS_OFF + cpu * this.ringSize);
      const pos = Number(tail & BigInt(this.ringSize - 1));
      const first = Math.min(used, this.ringSize - pos);
      const parts = [await c.readMemory(ring + BigInt(pos), first)];
      if (used > first) parts.push(await c.readMemory(ring, used - first));
      const { records, malformed } = parseRecords(Buffer.concat(parts));
      if (malformed) this.stats.malformed++;
      // A live record waits for its own doorbell stop, unless recording is over.
      let keep = records.length;
      const last = records[records.length - 1];
      if (last?.live && this.patched && !(live && live.cpu === cpu) && !this.stopRequested) keep--;
      let consumed = 0;
      for (let i = 0; i < keep; i++) consumed += records[i]!.span;
      all.push(...records.slice(0, keep));
      // Malformed bytes are dropped with the rest of what was read.
      tails.push({ cpu, tail: malformed ? head : tail + BigInt(consumed) });
      total = Math.max(total, used);
      read += used;
    }
    if (lost > this.lostSeen) {
      this.opts.info(`warning: probe: ${lost - this.lostSeen} records lost (rings full)`);
      this.stats.lost += Number(lost - this.lostSeen);
      this.lostSeen = lost;
    }
    if (all.length && this.tscKhz === 0) {
      const khz = await this.memory.read(this.tscKhzAt, 4);
      this.tscKhz = khz && khz.length === 4 ? khz.readUInt32LE(0) : 0;
    }
    if (all.length && this.tsc0 === undefined) {
      this.tsc0 = all.reduce((m, r) => (r.tsc > m ? r.tsc : m), 0n);
      this.t0 = Date.now() / 1000;
    }
    all.sort((a, b) => (a.tsc < b.tsc ? -1 : a.tsc > b.tsc ? 1 : 0));
    for (const t of tails) {
      const b = Buffer.alloc(8);
      b.writeBigUInt64LE(t.tail);
      await c.writeMemory(ctrl + BigInt(C.cpus + t.cpu * CPU_RING_SIZE + 8), b);
    }
    this.stats.drains++;
    this.stats.bytes += read;
    const liveNow = live !== undefined && all.some((r) => r.live && r.cpu === live.cpu);
    if (liveNow || !this.patched || this.stopRequested) {
      // Live decoding reads the stopped guest: everything before it first, in order.
      await this.settle();
      if (live) await c.selectThread(live.thread);
      for (const rec of all) await this.onRecord(rec, rec.live && live?.cpu === rec.cpu ? this.memory : undefined);
    } else {
      // Decoded from captured bytes only: done while the guest runs on.
      const prev = this.backlog;
      this.backlog = (async () => {
        await prev;
        for (const rec of all) await this.onRecord(rec, undefined);
      })();
      this.backlog.catch(() => undefined);
    }
    return total;
  }

  /**
   * The ring headers, read through a vCPU whose page tables map the probe's memory: a vCPU
   * stopped in user mode under page-table isolation (KPTI) has only the user half and the
   * entry trampoline mapped, so the others are tried; undefined when none maps it.
   */
  private async readHeads(first: string | undefined): Promise<Buffer | undefined> {
    const at = this.base + BigInt(CTRL_OFF + C.cpus);
    const len = this.ncpus * CPU_RING_SIZE;
    const tried = new Set<string>();
    if (first !== undefined) await this.client.selectThread(first);
    for (let attempt = 0; ; attempt++) {
      const { data, error } = await this.client.readMemoryPartial(at, len);
      if (!error && data.length === len) return data;
      if (attempt === 0) this.threadList ??= await this.client.threads();
      const next = this.threadList!.find((t) => !tried.has(t));
      if (next === undefined) return undefined;
      tried.add(next);
      await this.client.selectThread(next);
    }
  }

  /** Waits until every record drained so far has become events. */
  private async settle(): Promise<void> {
    await this.backlog;
  }

  private async onRecord(rec: ProbeRecord, live: GuestMemory | undefined): Promise<void> {
    if (rec.type === RecType.Enter) return this.onEnter(rec, live);
    if (rec.type === RecType.Return) return this.onReturn(rec, live);
    if (rec.type === RecType.Child) return this.onChild(rec);
  }

  private asidOf(cr3: bigint): bigint {
    return cr3 & this.opts.profile.asidMask;
  }

  private newPending(rec: ProbeRecord): Pending {
    const no = Number(BigInt.asIntN(32, rec.nr));
    const info = this.opts.table.getSyscallInfo(no);
    const name = callName(info, no);
    return {
      call: ++this.calls, info, no, name, args: argsOf(info, rec.args), asid: this.asidOf(rec.cr3), sp: rec.sp, retaddr: rec.ip,
      entry: rec, forkLike: FORK_LIKE.has(name), childSeen: false,
    };
  }

  private async decodeEnterOf(pend: Pending, mem: GuestMemory): Promise<void> {
    const m = mem instanceof CaptureMemory ? mem : undefined;
    await decodeEnter(pend.info, pend.args, mem, { strsize: this.opts.strsize });
    // A page not faulted in yet is read again at return (the decoder's retry): only calls
    // that never return have their entry gaps counted here.
    if (pend.info?.noreturn) this.noteMisses(m, pend);
  }

  private noteMisses(m: CaptureMemory | undefined, pend: Pending): void {
    if (!m || m.misses === 0) return;
    this.stats.uncaptured += m.misses;
    if (!this.uncapturedWarned) this.opts.info(`warning: probe: ${pend.name} read memory the recorder did not capture (printed as addresses)`);
    this.uncapturedWarned = true;
  }

  private async onEnter(rec: ProbeRecord, live: GuestMemory | undefined): Promise<void> {
    if (BigInt.asIntN(64, rec.nr) < 0n) return;
    this.stats.entries++;
    const pend = this.newPending(rec);
    await this.decodeEnterOf(pend, live ?? new CaptureMemory([rec.caps]));
    const ev = this.event('enter', pend, rec);
    const sr = sigreturnOf(this.opts.profile, pend.name);
    if (sr) {
      // Complete at entry: the frame at the user sp holds the mask and the value restored.
      const mem = live ?? new CaptureMemory([]);
      const mask = await mem.read(pend.sp + BigInt(sr.maskOffset), 8);
      const rax = await mem.read(pend.sp + BigInt(sr.retOffset), 8);
      this.fillReturn(ev, pend, rax && rax.length === 8 ? readUintLE(rax) : undefined);
      ev.line = `${pend.name}(${mask && mask.length === 8 ? `{mask=${sigset(readUintLE(mask))}}` : ''}) = ${ev.retText}`;
      ev.noreturn = true;
      this.opts.emit(ev);
      return;
    }
    if (pend.info?.noreturn) {
      ev.noreturn = true;
      ev.retText = '?';
      ev.line = `${pend.name}(${joinArgs(pend.args)}) = ?`;
      this.opts.emit(ev);
      return;
    }
    this.opts.emit(ev);
    const old = this.pending.get(rec.regs);
    if (old) this.finish(old, rec); // its return was never recorded
    this.pending.set(rec.regs, pend);
    if (pend.forkLike) {
      this.forks.push(pend);
      if (this.forks.length > 256) this.forks.shift();
    }
    if (this.pending.size > (this.opts.maxPending ?? 4096)) this.finish(this.pending.values().next().value as Pending, rec);
  }

  private async onReturn(rec: ProbeRecord, live: GuestMemory | undefined): Promise<void> {
    const nr = BigInt.asIntN(64, rec.nr);
    let pend = this.pending.get(rec.regs);
    if (pend && pend.no !== Number(BigInt.asIntN(32, rec.nr))) pend = undefined;
    if (!pend) {
      if (nr < 0n) return; // rt_sigreturn (orig_ax -1 by its exit), or not a system call
      if (rec.args.length === 0) {
        // Its entry was recorded but never reached us (records lost, already reported).
        this.stats.strayReturns++;
        return;
      }
      // Entered before the probe was armed (or its entry record was lost): seen at its exit.
      pend = this.newPending(rec);
      this.stats.entries++;
      await this.decodeEnterOf(pend, live ?? new CaptureMemory([rec.caps]));
      const enter = this.event('enter', pend, rec);
      enter.late = true;
      this.opts.emit(enter);
    } else this.pending.delete(rec.regs);
    this.stats.returns++;
    const mem = live ?? new CaptureMemory([rec.caps, pend.entry.caps]);
    await decodeReturn(pend.info, pend.args, rec.ax, mem, { strsize: this.opts.strsize });
    this.noteMisses(mem instanceof CaptureMemory ? mem : undefined, pend);
    const ev = this.event('return', pend, rec);
    this.fillReturn(ev, pend, rec.ax);
    this.opts.emit(ev);
  }

  /** A new task's first return to user space: the child's side of a fork-like call. */
  private async onChild(rec: ProbeRecord): Promise<void> {
    const no = Number(BigInt.asIntN(32, rec.nr));
    for (let i = this.forks.length - 1; i >= 0; i--) {
      const pend = this.forks[i]!;
      if (pend.childSeen || pend.no !== no || pend.retaddr !== rec.ip) continue;
      pend.childSeen = true;
      this.forks.splice(i, 1);
      this.stats.returns++;
      const mem = new CaptureMemory([rec.caps, pend.entry.caps]);
      await decodeReturn(pend.info, pend.args, rec.ax, mem, { strsize: this.opts.strsize });
      const ev = this.event('return', pend, rec);
      ev.child = true;
      ev.asid = '0x' + this.asidOf(rec.cr3).toString(16);
      ev.sp = '0x' + rec.sp.toString(16);
      this.fillReturn(ev, pend, rec.ax);
      this.opts.emit(ev);
      return;
    }
    this.stats.strayReturns++;
  }

  private finish(pend: Pending, at: ProbeRecord): void {
    this.pending.delete(pend.entry.regs);
    const ev = this.event('return', pend, at);
    this.fillReturn(ev, pend, undefined);
    this.stats.lost++;
    this.opts.emit(ev);
  }

  private emitUnfinished(): void {
    for (const pend of this.pending.values()) {
      const ev = this.event('return', pend, pend.entry);
      ev.cpu = -1;
      this.fillReturn(ev, pend, undefined);
      this.opts.emit(ev);
    }
    this.pending.clear();
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

  private tsOf(tsc: bigint): number {
    if (this.tsc0 === undefined || this.tscKhz === 0) return Math.round(Date.now() * 1000) / 1e6;
    const s = this.t0 + Number(tsc - this.tsc0) / (this.tscKhz * 1000);
    return Math.round(s * 1e6) / 1e6;
  }

  private event(dir: 'enter' | 'return', pend: Pending, rec: ProbeRecord): TraceEvent {
    const args: EventArg[] = pend.args.map((a) => {
      const e: EventArg = { name: a.name, type: a.type, raw: '0x' + a.raw.toString(16) };
      if (a.text !== undefined && !a.omitted) e.text = a.text;
      return e;
    });
    const site = this.siteOf(rec.type === RecType.Enter ? 'entry_hook' : rec.type === RecType.Return ? 'exit_hook' : 'child_hook');
    const ev: TraceEvent = {
      seq: ++this.seq,
      ts: this.tsOf(rec.tsc),
      dir,
      call: pend.call,
      cpu: rec.cpu,
      asid: '0x' + pend.asid.toString(16),
      pc: '0x' + (site?.at ?? 0n).toString(16),
      retaddr: '0x' + pend.retaddr.toString(16),
      sp: '0x' + pend.sp.toString(16),
      no: pend.no,
      name: pend.name,
      args,
      profile: this.opts.profile.name,
      abi: 'x64',
    };
    if (!pend.info) ev.unknown = true;
    const pr = rec.proc;
    if (pr) {
      ev.pid = pr.pid;
      ev.tid = pr.tid;
      ev.ppid = pr.ppid;
      ev.comm = pr.comm;
    }
    return ev;
  }
}

/** The profile's sigreturn spec for `name` (one mapping, or a list of them). */
function sigreturnOf(profile: ProbeOptions['profile'], name: string): { retOffset: number; maskOffset: number } | undefined {
  const s: unknown = (profile as { sigreturn?: unknown }).sigreturn;
  const list = (Array.isArray(s) ? s : s ? [s] : []) as Array<{ name: string; retOffset: number; maskOffset: number }>;
  return list.find((x) => x.name === name);
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
