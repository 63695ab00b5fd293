/**
 * One RSP connection over a stream socket: sends packets and waits for the `+`, resends on
 * `-`, acknowledges what the stub sends, and hands replies to whoever waits for them.
 *
 * QEMU facts that shape it (../shared/DESIGN.md): no no-ack mode, so every packet is acked
 * both ways; while the guest runs QEMU stops it on any byte it receives and drops the
 * byte, so nothing is written after a resume except a deliberate interrupt (0x03) and the
 * `+` that acknowledges the stop reply.
 */
import { EventEmitter } from 'node:events';
import net from 'node:net';
import { frame } from './framing.js';
import { RspReader } from './reader.js';
import { RspError } from './errors.js';

export interface ConnectionOptions {
  /** Milliseconds to wait for an ack or a reply before RSP_TIMEOUT. */
  timeoutMs?: number;
  /** How many times a nacked packet is resent before RSP_NACK. */
  maxRetransmits?: number;
  /** Called with every raw byte chunk in both directions (for `--debug-rsp`). */
  trace?: (dir: 'send' | 'recv', data: Buffer) => void;
}

interface Waiter {
  resolve: (payload: string) => void;
  reject: (err: Error) => void;
  /** True when a stop reply is the expected answer (`?`, resumes). */
  stop: boolean;
  /** When set, `O` console packets are collected here instead of emitted. */
  output?: string[];
  timer?: NodeJS.Timeout;
}

/** Where to connect: `host:port`, `:port`, `port`, or a unix socket path. */
export function parseTarget(target: string): net.NetConnectOpts {
  if (target.startsWith('unix:')) return { path: target.slice(5) };
  if (target.startsWith('/') || target.startsWith('.')) return { path: target };
  const m = /^(?:(.*):)?(\d{1,5})$/.exec(target);
  if (m) {
    const port = Number(m[2]);
    if (port < 1 || port > 65535) throw new RspError('RSP_CONNECT', `port out of range in '${target}'`);
    return { host: m[1] ? m[1].replace(/^\[(.*)\]$/, '$1') : '127.0.0.1', port };
  }
  if (target.includes('/') || target.endsWith('.sock')) return { path: target };
  throw new RspError('RSP_CONNECT', `cannot read '${target}' as HOST:PORT, :PORT or a unix socket path`);
}

export class RspConnection extends EventEmitter {
  private readonly reader = new RspReader();
  private readonly timeoutMs: number;
  private readonly maxRetransmits: number;
  private readonly traceFn: ConnectionOptions['trace'];
  /** The packet last sent and not yet acked, and the promise waiting for its ack. */
  private unacked: { bytes: Buffer; tries: number; resolve: () => void; reject: (e: Error) => void; timer: NodeJS.Timeout } | null = null;
  /** Whoever waits for the next non-console packet. */
  private waiter: Waiter | null = null;
  /** Stop replies that arrived with nobody waiting (e.g. a stop after an interrupt). */
  private readonly early: string[] = [];
  private closedError: RspError | null = null;
  /** Serialises exchanges: one request in flight at a time. */
  private chain: Promise<unknown> = Promise.resolve();

  private constructor(private readonly socket: net.Socket, opts: ConnectionOptions) {
    super();
    this.timeoutMs = opts.timeoutMs ?? 5000;
    this.maxRetransmits = opts.maxRetransmits ?? 5;
    this.traceFn = opts.trace;
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('close', () => this.fail(new RspError('RSP_DISCONNECTED', 'the GDB stub closed the connection')));
    socket.on('error', (err) => this.fail(new RspError('RSP_DISCONNECTED', `connection to the GDB stub failed: ${err.message}`, { cause: err })));
  }

  /** Connects to a stub; RSP_CONNECT with the reason when it cannot be reached. */
  static connect(target: string, opts: ConnectionOptions = {}): Promise<RspConnection> {
    const where = parseTarget(target);
    return new Promise((resolve, reject) => {
      const socket = net.connect(where);
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new RspError('RSP_CONNECT', `no answer from the GDB stub at ${target} within ${opts.timeoutMs ?? 5000} ms`));
      }, opts.timeoutMs ?? 5000);
      socket.once('connect', () => {
        clearTimeout(timer);
        socket.removeAllListeners('error');
        resolve(new RspConnection(socket, opts));
      });
      socket.once('error', (err: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        const why = err.code === 'ECONNREFUSED' ? 'connection refused (is QEMU running with -gdb?)' : err.code === 'ENOENT' ? 'no such socket' : err.message;
        reject(new RspError('RSP_CONNECT', `cannot reach the GDB stub at ${target}: ${why}`, { cause: err }));
      });
    });
  }

  /** Wraps an already connected stream (tests use socket pairs). */
  static fromSocket(socket: net.Socket, opts: ConnectionOptions = {}): RspConnection {
    return new RspConnection(socket, opts);
  }

  get closed(): boolean {
    return this.closedError !== null;
  }

  /**
   * Sends a packet and returns the stub's reply. `O` console packets that arrive before the
   * reply are collected into `output` (qRcmd answers this way) or emitted as 'console'.
   */
  request(payload: string, opts: { collectOutput?: string[]; timeoutMs?: number; expectStop?: boolean } = {}): Promise<string> {
    return this.serial(async () => {
      // The reply to `?` is the current stop: stops queued before it are that same stop and,
      // left queued, would answer the next waitStop() while the guest runs.
      if (opts.expectStop) this.early.length = 0;
      const timeoutMs = opts.timeoutMs ?? this.timeoutMs;
      // The reply's deadline starts once the packet is acked, so a missing ack is reported as such.
      const reply = this.nextPacket(opts.expectStop ?? false, opts.collectOutput, 0);
      reply.catch(() => undefined); // observed below; avoid an unhandled rejection if send fails
      try {
        await this.send(payload, timeoutMs);
      } catch (e) {
        this.dropWaiter();
        throw e;
      }
      this.armDeadline(timeoutMs);
      return reply;
    });
  }

  /**
   * Sends a packet that resumes the guest (`c`, `vCont;...`). Resolves once the stub has
   * acked it; the stop that follows is read with `waitStop()`.
   */
  resume(payload: string): Promise<void> {
    return this.serial(() => this.send(payload));
  }

  /** The next packet the stub sends on its own (a stop reply), with no deadline by default. */
  waitStop(timeoutMs = 0): Promise<string> {
    return this.serial(() => this.nextPacket(true, undefined, timeoutMs));
  }

  /** Writes the interrupt byte 0x03 (GDB manual, "Interrupts"); the stub answers with a stop. */
  interrupt(): void {
    if (!this.closed) this.write(Buffer.from([0x03]));
  }

  /** Closes the socket. Pending waiters fail with RSP_DISCONNECTED. */
  close(): void {
    this.socket.end();
    this.socket.destroy();
    this.fail(new RspError('RSP_DISCONNECTED', 'connection closed'));
  }

  private dropWaiter(): void {
    if (this.waiter?.timer) clearTimeout(this.waiter.timer);
    this.waiter = null;
  }

  private abandon(err: RspError): void {
    this.fail(err);
    this.socket.destroy();
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.chain.then(fn, fn);
    this.chain = run.catch(() => undefined);
    return run;
  }

  private write(bytes: Buffer): void {
    this.traceFn?.('send', bytes);
    this.socket.write(bytes);
  }

  private send(payload: string, timeoutMs = this.timeoutMs): Promise<void> {
    if (this.closedError) return Promise.reject(this.closedError);
    const bytes = frame(payload);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.unacked = null;
        reject(new RspError('RSP_TIMEOUT', `no acknowledgement for '${abbreviate(payload)}' within ${timeoutMs} ms`));
      }, timeoutMs);
      this.unacked = { bytes, tries: 1, resolve, reject, timer };
      this.write(bytes);
    });
  }

  private nextPacket(stop: boolean, output: string[] | undefined, timeoutMs: number): Promise<string> {
    if (stop) {
      const early = this.early.shift();
      if (early !== undefined) return Promise.resolve(early);
    }
    if (this.closedError) return Promise.reject(this.closedError);
    return new Promise((resolve, reject) => {
      const waiter: Waiter = { resolve, reject, stop };
      if (output) waiter.output = output;
      this.waiter = waiter;
      if (timeoutMs > 0) this.armDeadline(timeoutMs);
    });
  }

  /** Starts the deadline of the current waiter (if it has not been answered yet). */
  private armDeadline(timeoutMs: number): void {
    const waiter = this.waiter;
    if (!waiter || waiter.timer) return;
    waiter.timer = setTimeout(() => {
      if (this.waiter === waiter) this.waiter = null;
      const err = new RspError('RSP_TIMEOUT', `no reply from the GDB stub within ${timeoutMs} ms`);
      waiter.reject(err);
      // A reply that comes later would answer the next request: replies and requests would
      // stay out of step for good. A stub that missed its deadline is treated as lost.
      if (!waiter.stop) this.abandon(err);
    }, timeoutMs);
  }

  private onData(chunk: Buffer): void {
    this.traceFn?.('recv', chunk);
    for (const ev of this.reader.feed(chunk)) {
      switch (ev.kind) {
        case 'ack':
          if (this.unacked) {
            clearTimeout(this.unacked.timer);
            const { resolve } = this.unacked;
            this.unacked = null;
            resolve();
          }
          break; // a stray ack is harmless
        case 'nack':
          if (this.unacked) {
            if (this.unacked.tries > this.maxRetransmits) {
              clearTimeout(this.unacked.timer);
              const { reject } = this.unacked;
              this.unacked = null;
              reject(new RspError('RSP_NACK', `the stub rejected a packet ${this.maxRetransmits + 1} times`));
            } else {
              this.unacked.tries++;
              this.write(this.unacked.bytes);
            }
          }
          break;
        case 'bad-checksum':
          this.write(Buffer.from('-'));
          this.emit('protocol-warning', `bad checksum from stub (expected ${ev.expected}, got ${ev.actual}); asked to resend`);
          break;
        case 'malformed':
          // The checksum was right, so resending gives the same bytes: ack and drop it.
          this.write(Buffer.from('+'));
          this.emit('protocol-warning', `malformed packet from stub dropped: ${ev.reason}`);
          break;
        case 'junk':
          this.emit('protocol-warning', `${ev.bytes} stray byte(s) outside any packet ignored`);
          break;
        case 'packet':
          this.write(Buffer.from('+'));
          if (!ev.notification) this.deliver(ev.payload.toString('latin1'));
          break;
      }
    }
  }

  private deliver(payload: string): void {
    const w = this.waiter;
    // `O<hex>` is console output unless it is the reply `OK`.
    if (payload.length > 1 && payload[0] === 'O' && payload !== 'OK' && /^O([0-9a-fA-F]{2})+$/.test(payload)) {
      const text = Buffer.from(payload.slice(1), 'hex').toString('utf8');
      if (w?.output) w.output.push(text);
      else this.emit('console', text);
      return;
    }
    // A stop reply is never the answer to an ordinary request: it is a stop that raced an
    // interrupt, kept for the next waitStop().
    const isStop = /^([TS][0-9a-fA-F]{2}|[WX][0-9a-fA-F]{2}(;|$))/.test(payload);
    if (w && (w.stop || !isStop)) {
      this.waiter = null;
      if (w.timer) clearTimeout(w.timer);
      w.resolve(payload);
    } else if (isStop && this.early.length < 64) {
      this.early.push(payload);
    } else {
      this.emit('protocol-warning', `unsolicited packet '${abbreviate(payload)}' dropped`);
    }
  }

  private fail(err: RspError): void {
    if (this.closedError) return;
    this.closedError = err;
    if (this.unacked) {
      clearTimeout(this.unacked.timer);
      this.unacked.reject(err);
      this.unacked = null;
    }
    if (this.waiter) {
      if (this.waiter.timer) clearTimeout(this.waiter.timer);
      this.waiter.reject(err);
      this.waiter = null;
    }
    this.emit('close', err);
  }
}

function abbreviate(s: string): string {
  return s.length > 40 ? s.slice(0, 40) + '...' : s;
}
