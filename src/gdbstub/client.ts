/**
 * Typed RSP commands on top of a connection (GDB manual, "Packets" and "General Query
 * Packets"). Each method is one request and its reply, checked; `E` replies become
 * RSP_ERROR_REPLY, empty replies RSP_UNSUPPORTED.
 */
import { RspConnection, type ConnectionOptions } from './connection.js';
import { RspError } from './errors.js';
import { asciiToHex, fromHex, readUintLE, toHex } from './framing.js';
import { parseStopReply, type StopReply } from './stop-reply.js';
import { assignGOffsets, includesOf, parseTargetDescription, type RegisterMap } from './target-description.js';

/** Three-state capability, as LLDB keeps them: not asked yet, present, absent. */
export type Capability = 'unknown' | 'yes' | 'no';

export class GdbClient {
  /** Raw qSupported features: `name` -> value, or true/false for `name+`/`name-`. */
  features = new Map<string, string | boolean>();
  /** Largest packet the stub accepts (PacketSize), 0x400 until told. */
  packetSize = 0x400;
  /**
   * Largest `m` read per packet. QEMU 7.2 answers at most 0x800 bytes; the reply must also
   * fit the packet size as hex.
   */
  maxMemoryChunk = 0x800;
  registers: RegisterMap | null = null;
  private selectedThread: string | null = null;
  /**
   * Whether a stop reply selects its thread for `g`/`m` (true of QEMU). Set false for stubs
   * that need an explicit `Hg` after every stop.
   */
  stopSelectsThread = true;

  constructor(readonly conn: RspConnection) {}

  static async connect(target: string, opts?: ConnectionOptions): Promise<GdbClient> {
    return new GdbClient(await RspConnection.connect(target, opts));
  }

  /** `qSupported`: what we offer, what the stub does. */
  async qSupported(): Promise<Map<string, string | boolean>> {
    const reply = await this.conn.request('qSupported:xmlRegisters=i386;vContSupported+;swbreak+;hwbreak+');
    this.features = new Map();
    for (const item of reply.split(';')) {
      if (!item) continue;
      const eq = item.indexOf('=');
      if (eq > 0) this.features.set(item.slice(0, eq), item.slice(eq + 1));
      else if (item.endsWith('+')) this.features.set(item.slice(0, -1), true);
      else if (item.endsWith('-')) this.features.set(item.slice(0, -1), false);
    }
    const ps = this.features.get('PacketSize');
    if (typeof ps === 'string' && /^[0-9a-fA-F]+$/.test(ps)) this.packetSize = parseInt(ps, 16);
    // A reply of N bytes is 2N hex digits; PacketSize counts payload only, not `$`, `#cs`
    // (GDB manual, "General Query Packets", qSupported PacketSize): QEMU's 0x1000 gives 0x800.
    this.maxMemoryChunk = Math.max(16, Math.min(0x800, Math.floor(this.packetSize / 2)));
    return this.features;
  }

  capability(name: string): Capability {
    const v = this.features.get(name);
    if (v === undefined) return this.features.size === 0 ? 'unknown' : 'no';
    return v === false ? 'no' : 'yes';
  }

  /** Reads one qXfer annex whole (`qXfer:<object>:read:<annex>:<offset>,<length>`). */
  async qXferRead(object: string, annex: string): Promise<string> {
    let out = '';
    const chunk = Math.max(64, this.packetSize - 16);
    for (let guard = 0; guard < 4096; guard++) {
      const reply = await this.conn.request(`qXfer:${object}:read:${annex}:${out.length.toString(16)},${chunk.toString(16)}`);
      if (reply === '') throw new RspError('RSP_UNSUPPORTED', `the stub does not serve qXfer:${object}`);
      if (reply[0] === 'E') throw new RspError('RSP_ERROR_REPLY', `qXfer:${object}:read:${annex} failed: ${reply}`);
      if (reply[0] !== 'm' && reply[0] !== 'l') throw new RspError('RSP_PROTOCOL', `unexpected qXfer reply '${reply.slice(0, 20)}'`);
      out += reply.slice(1);
      if (reply[0] === 'l') return out;
    }
    throw new RspError('RSP_PROTOCOL', `qXfer:${object}:${annex} did not end`);
  }

  /**
   * Reads target.xml and its includes into a register map; null when the stub has no
   * target description (QEMU's MIPS). QEMU answers `p` only after this has been read.
   */
  async readTargetDescription(): Promise<RegisterMap | null> {
    if (this.capability('qXfer:features:read') === 'no') return null;
    const docs = new Map<string, string>();
    const queue = ['target.xml'];
    while (queue.length > 0 && docs.size < 32) {
      const annex = queue.shift()!;
      if (docs.has(annex)) continue;
      let text: string;
      try {
        text = await this.qXferRead('features', annex);
      } catch (e) {
        if (annex === 'target.xml' && e instanceof RspError && (e.code === 'RSP_UNSUPPORTED' || e.code === 'RSP_ERROR_REPLY')) return null;
        throw e;
      }
      docs.set(annex, text);
      queue.push(...includesOf(text));
    }
    this.registers = parseTargetDescription(docs);
    return this.registers;
  }

  /** `?`: why the target stopped. */
  async haltReason(): Promise<StopReply> {
    const reply = await this.conn.request('?', { expectStop: true });
    const stop = parseStopReply(reply);
    if (!stop) throw new RspError('RSP_PROTOCOL', `cannot read stop reply '${reply}'`);
    return stop;
  }

  /** `g`: all registers of the selected thread, raw. Sets `g` offsets on first use. */
  async readAllRegisters(): Promise<Buffer> {
    const reply = this.check(await this.conn.request('g'), 'g');
    const bytes = registerBytes(reply, 'g');
    if (this.registers && this.registers.ordered[0]?.gOffset === undefined) assignGOffsets(this.registers, bytes.length);
    return bytes;
  }

  /** `p n`: one register, raw little-endian bytes. */
  async readRegisterRaw(regnum: number): Promise<Buffer> {
    const reply = this.check(await this.conn.request(`p${regnum.toString(16)}`), `p${regnum.toString(16)}`);
    return registerBytes(reply, `p${regnum.toString(16)}`);
  }

  /** A register by name as an unsigned number (little-endian targets). */
  async readRegister(name: string): Promise<bigint> {
    const info = this.registers?.byName.get(name);
    if (!info) throw new RspError('RSP_PROTOCOL', `the target has no register '${name}'`);
    if (!this.noP) {
      try {
        return readUintLE(await this.readRegisterRaw(info.regnum));
      } catch (e) {
        // QEMU answers `p` only to a client that read its target.xml (gdbstub.c handle_read_reg):
        // with none (MIPS), registers of the `g` packet are read from there.
        if (!(e instanceof RspError && e.code === 'RSP_UNSUPPORTED' && info.gOffset !== undefined)) throw e;
        this.noP = true;
      }
    }
    if (info.gOffset === undefined) throw new RspError('RSP_UNSUPPORTED', `the stub reads no single registers (p) and '${name}' is not in its g packet`);
    const g = await this.readAllRegisters();
    return readUintLE(g.subarray(info.gOffset, info.gOffset + info.bitsize / 8));
  }

  /**
   * `Qqemu.PhyMemMode:1|0` (QEMU 5.1+): `m` and `M` then address physical memory. Throws
   * RSP_UNSUPPORTED for a stub without it.
   */
  async setPhysicalMemoryMode(on: boolean): Promise<void> {
    this.check(await this.conn.request(`Qqemu.PhyMemMode:${on ? 1 : 0}`), 'Qqemu.PhyMemMode');
  }

  /** `len` bytes of guest physical memory at `addr` (QEMU's PhyMemMode), or what could be read. */
  async readPhysicalPartial(addr: bigint, length: number): Promise<Buffer> {
    await this.setPhysicalMemoryMode(true);
    try {
      return (await this.readMemoryPartial(addr, length)).data;
    } finally {
      await this.setPhysicalMemoryMode(false);
    }
  }

  /** The stub answered `p` with an empty reply: it reads no single registers. */
  private noP = false;

  /** `P n=v`: writes one register. */
  async writeRegisterRaw(regnum: number, value: Uint8Array): Promise<void> {
    this.check(await this.conn.request(`P${regnum.toString(16)}=${toHex(value)}`), 'P');
  }

  /**
   * `m addr,len` in chunks of at most `maxMemoryChunk`. Throws RSP_ERROR_REPLY when any
   * part is unreadable; `readMemoryPartial` returns what could be read instead.
   */
  async readMemory(addr: bigint, length: number): Promise<Buffer> {
    const { data, error } = await this.readMemoryPartial(addr, length);
    if (error) throw error;
    return data;
  }

  /** Reads up to `length` bytes, stopping at the first unreadable chunk. */
  async readMemoryPartial(addr: bigint, length: number): Promise<{ data: Buffer; error?: RspError }> {
    const parts: Buffer[] = [];
    let done = 0;
    while (done < length) {
      const n = Math.min(this.maxMemoryChunk, length - done);
      const at = (addr + BigInt(done)) & 0xffff_ffff_ffff_ffffn;
      const reply = await this.conn.request(`m${at.toString(16)},${n.toString(16)}`);
      if (reply === '' || /^E[0-9a-fA-F]{2}$/.test(reply) || !/^([0-9a-fA-F]{2})*$/.test(reply)) {
        return { data: Buffer.concat(parts), error: new RspError('RSP_ERROR_REPLY', `memory at 0x${at.toString(16)} is not readable (${reply || 'empty reply'})`) };
      }
      // More than asked for is dropped, as gdb's hex2bin(p, buf, todo) does: callers rely on
      // getting at most `length` bytes.
      const chunk = fromHex(reply).subarray(0, n);
      parts.push(chunk);
      done += chunk.length;
      if (chunk.length === 0) break; // a stub that returns nothing: do not spin
    }
    return { data: Buffer.concat(parts) };
  }

  /** `M addr,len:hex`. */
  async writeMemory(addr: bigint, data: Uint8Array): Promise<void> {
    this.check(await this.conn.request(`M${addr.toString(16)},${data.length.toString(16)}:${toHex(data)}`), 'M');
  }

  /** `Z0`/`Z1` (software / hardware breakpoint). `kind` is the breakpoint length (x86: 1). */
  async insertBreakpoint(addr: bigint, type: 0 | 1 = 0, kind = 1): Promise<void> {
    this.check(await this.conn.request(`Z${type},${addr.toString(16)},${kind.toString(16)}`), `Z${type}`);
  }

  /** `z0`/`z1`. */
  async removeBreakpoint(addr: bigint, type: 0 | 1 = 0, kind = 1): Promise<void> {
    this.check(await this.conn.request(`z${type},${addr.toString(16)},${kind.toString(16)}`), `z${type}`);
  }

  /** `Hg`: whose registers `g`/`p` read and through whose page tables `m` reads. */
  async selectThread(thread: string): Promise<void> {
    if (this.selectedThread === thread) return;
    this.check(await this.conn.request(`Hg${thread}`), 'Hg');
    this.selectedThread = thread;
  }

  /** Forgets which thread is selected (QEMU re-selects the stopped vCPU on every stop). */
  forgetSelectedThread(): void {
    this.selectedThread = null;
  }

  /** `qfThreadInfo`/`qsThreadInfo`: all thread ids (vCPUs under QEMU). */
  async threads(): Promise<string[]> {
    const ids: string[] = [];
    let reply = await this.conn.request('qfThreadInfo');
    for (let guard = 0; guard < 1024 && reply.startsWith('m'); guard++) {
      ids.push(...reply.slice(1).split(',').filter(Boolean));
      reply = await this.conn.request('qsThreadInfo');
    }
    return ids;
  }

  /** `qRcmd`: a monitor command; returns its console output. */
  async monitor(command: string): Promise<string> {
    const output: string[] = [];
    const reply = await this.conn.request(`qRcmd,${asciiToHex(command)}`, { collectOutput: output, timeoutMs: 20000 });
    if (reply === '') throw new RspError('RSP_UNSUPPORTED', 'the stub has no monitor commands (qRcmd)');
    if (reply[0] === 'E') throw new RspError('RSP_ERROR_REPLY', `monitor '${command}' failed: ${reply}`);
    if (reply !== 'OK') output.push(Buffer.from(reply, 'hex').toString('utf8'));
    return output.join('');
  }

  /** `c`: resumes every vCPU; the stop is read with `waitStop`. */
  async continue(): Promise<void> {
    this.selectedThread = null;
    await this.conn.resume('c');
  }

  /** `vCont;s:T`: steps only vCPU `thread` (a plain `s` lets every vCPU run). */
  async stepThread(thread: string): Promise<StopReply> {
    this.selectedThread = null;
    await this.conn.resume(`vCont;s:${thread}`);
    return this.waitStop();
  }

  /** The next stop reply (after `continue`, `stepThread` or `interrupt`). */
  async waitStop(timeoutMs = 0): Promise<StopReply> {
    const reply = await this.conn.waitStop(timeoutMs);
    const stop = parseStopReply(reply);
    if (!stop) throw new RspError('RSP_PROTOCOL', `cannot read stop reply '${reply.slice(0, 40)}'`);
    // QEMU makes the stopped vCPU the general thread on every stop (gdbstub.c
    // gdb_set_stop_cpu), so no `Hg` is needed to read its registers.
    if (stop.kind === 'signal' && stop.thread !== undefined && this.stopSelectsThread) this.selectedThread = stop.thread;
    return stop;
  }

  /** Sends 0x03; the stub stops the guest and sends a stop reply. */
  interrupt(): void {
    this.conn.interrupt();
  }

  /** `D`: the stub removes its breakpoints and lets the guest run on. */
  async detach(): Promise<void> {
    this.check(await this.conn.request('D'), 'D');
  }

  close(): void {
    this.conn.close();
  }

  private check(reply: string, what: string): string {
    if (reply === '') throw new RspError('RSP_UNSUPPORTED', `the stub does not support '${what}'`);
    if (/^E[0-9a-fA-F]{2}$/.test(reply) || reply.startsWith('E.')) throw new RspError('RSP_ERROR_REPLY', `'${what}' failed: ${reply}`);
    return reply;
  }
}

/** Register bytes of a `g`/`p` reply (`xx` for unavailable ones reads as 0); RSP_PROTOCOL when it is not hex. */
function registerBytes(reply: string, what: string): Buffer {
  const hex = reply.replace(/x/g, '0');
  if (hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex)) {
    throw new RspError('RSP_PROTOCOL', `'${what}' reply is not register bytes in hex: '${reply.length > 40 ? reply.slice(0, 40) + '...' : reply}'`);
  }
  return fromHex(hex);
}
