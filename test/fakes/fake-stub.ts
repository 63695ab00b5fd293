/**
 * A scriptable fake GDB stub on a real unix socket in os.tmpdir(), for the RSP client tests.
 *
 * It speaks the stub side of the Remote Serial Protocol (GDB manual, "Overview" and
 * "Packet Acknowledgment") with acks on, as QEMU 7.2 does: it acks each packet it reads,
 * answers through a handler, sends its own packets one at a time (the next one only after
 * the client's `+`, the same one again after a `-`) and records every byte the client wrote.
 * Knobs let a test corrupt checksums, nack, add stray bytes, split or delay replies and
 * close the connection.
 */
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { GdbClient } from '../../src/gdbstub/client.js';
import { RspConnection, type ConnectionOptions } from '../../src/gdbstub/connection.js';
import { checksum, frame } from '../../src/gdbstub/framing.js';
import { RspReader } from '../../src/gdbstub/reader.js';

/** A reply: one packet, several in order (`O` output then `OK`), or null for none. */
export type StubReply = string | string[] | null;
export type StubHandler = (payload: string, stub: FakeStub) => StubReply;

/** What the client did, in order: a packet, an ack, a nack, an interrupt byte, junk. */
export type ClientEvent =
  | { kind: 'packet'; payload: string }
  | { kind: 'ack' }
  | { kind: 'nack' }
  | { kind: 'interrupt' }
  | { kind: 'other'; what: string };

let counter = 0;

export class FakeStub {
  /** Decoded payloads of every packet the client sent, retransmissions included. */
  readonly packets: string[] = [];
  /** Everything the client did, in order. */
  readonly events: ClientEvent[] = [];
  /** Payloads the handler answered (a nacked packet is not handled). */
  readonly handled: string[] = [];

  /** Nack this many of the next packets instead of handling them (Infinity: forever). */
  nackNext = 0;
  /** Send this many of our next packets with a wrong checksum first (resent right on `-`). */
  corruptNext = 0;
  /** Read packets and do nothing: no ack, no reply. */
  deaf = false;
  /** Write our bytes one at a time. */
  splitWrites = false;
  /** Milliseconds to wait before answering a packet. */
  delayMs = 0;
  /** Bytes written before the next reply (noise on the line). */
  strayBefore: Buffer | null = null;

  private readonly server: net.Server;
  private socket: net.Socket | null = null;
  private readonly reader = new RspReader();
  private readonly rawChunks: Buffer[] = [];
  /** Our packets not yet acked by the client; the head is on the wire. */
  private readonly outQueue: Array<{ bytes: Buffer; corrupt: boolean }> = [];
  private writing: Promise<void> = Promise.resolve();
  private connected: Promise<void>;

  private constructor(readonly socketPath: string, private readonly handler: StubHandler) {
    let onConnect!: () => void;
    this.connected = new Promise((resolve) => (onConnect = resolve));
    this.server = net.createServer((socket) => {
      this.socket = socket;
      socket.setNoDelay(true);
      socket.on('data', (chunk: Buffer) => this.onData(chunk));
      socket.on('error', () => undefined);
      onConnect();
    });
  }

  /** Starts listening; connect the client to `target`. */
  static async start(handler: StubHandler): Promise<FakeStub> {
    const p = path.join(os.tmpdir(), `systrace-fake-stub-${process.pid}-${++counter}.sock`);
    fs.rmSync(p, { force: true });
    const stub = new FakeStub(p, handler);
    await new Promise<void>((resolve, reject) => {
      stub.server.once('error', reject);
      stub.server.listen(p, () => resolve());
    });
    return stub;
  }

  /** The address to hand to `RspConnection.connect`. */
  get target(): string {
    return `unix:${this.socketPath}`;
  }

  /** Resolves once a client has connected. */
  waitConnected(): Promise<void> {
    return this.connected;
  }

  /** All bytes the client wrote so far. */
  raw(): Buffer {
    return Buffer.concat(this.rawChunks);
  }

  /** A position in the raw byte log, for `rawSince`. */
  mark(): number {
    return this.raw().length;
  }

  /** Bytes the client wrote after `mark`. */
  rawSince(mark: number): Buffer {
    return this.raw().subarray(mark);
  }

  /** Queues a packet of our own (a stop reply, console output). */
  send(payload: string): void {
    const corrupt = this.corruptNext > 0;
    if (corrupt) this.corruptNext--;
    this.outQueue.push({ bytes: frame(payload), corrupt });
    if (this.outQueue.length === 1) this.transmitHead();
  }

  /** Writes bytes as they are, outside any packet. */
  sendRaw(bytes: Buffer | string): void {
    this.write(typeof bytes === 'string' ? Buffer.from(bytes, 'latin1') : bytes);
  }

  /** Drops the client connection (the stub went away). */
  dropClient(): void {
    this.socket?.destroy();
  }

  /** Resolves once the client has written at least `n` bytes or `ms` passed. */
  async waitForBytes(n: number, ms = 2000): Promise<void> {
    const end = Date.now() + ms;
    while (this.raw().length < n && Date.now() < end) await sleep(2);
  }

  /** Resolves once the client has sent `n` packets or `ms` passed. */
  async waitForPackets(n: number, ms = 2000): Promise<void> {
    const end = Date.now() + ms;
    while (this.packets.length < n && Date.now() < end) await sleep(2);
  }

  /** Resolves once the client has written nothing for `ms` (its last ack has landed). */
  async quiet(ms = 25): Promise<void> {
    let seen = -1;
    while (seen !== this.raw().length) {
      seen = this.raw().length;
      await sleep(ms);
    }
  }

  async close(): Promise<void> {
    this.socket?.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    fs.rmSync(this.socketPath, { force: true });
  }

  private onData(chunk: Buffer): void {
    this.rawChunks.push(Buffer.from(chunk));
    // Byte by byte so that an interrupt (0x03 outside a packet) is told from other junk.
    for (const b of chunk) {
      if (b === 0x03 && !this.reader.midPacket) {
        this.events.push({ kind: 'interrupt' });
        continue;
      }
      for (const ev of this.reader.feed(Uint8Array.of(b))) {
        if (ev.kind === 'ack') {
          this.events.push({ kind: 'ack' });
          this.outQueue.shift();
          if (this.outQueue.length > 0) this.transmitHead();
        } else if (ev.kind === 'nack') {
          this.events.push({ kind: 'nack' });
          if (this.outQueue.length > 0) this.transmitHead();
        } else if (ev.kind === 'packet') {
          const payload = ev.payload.toString('latin1');
          this.packets.push(payload);
          this.events.push({ kind: 'packet', payload });
          this.onPacket(payload);
        } else {
          this.events.push({ kind: 'other', what: JSON.stringify(ev) });
          if (ev.kind === 'bad-checksum') this.write(Buffer.from('-'));
        }
      }
    }
  }

  private onPacket(payload: string): void {
    if (this.deaf) return;
    if (this.nackNext > 0) {
      this.nackNext--;
      this.write(Buffer.from('-'));
      return;
    }
    this.write(Buffer.from('+'));
    this.handled.push(payload);
    const reply = this.handler(payload, this);
    if (reply === null) return;
    const packets = Array.isArray(reply) ? reply : [reply];
    const go = (): void => {
      if (this.strayBefore) {
        this.write(this.strayBefore);
        this.strayBefore = null;
      }
      for (const p of packets) this.send(p);
    };
    if (this.delayMs > 0) setTimeout(go, this.delayMs);
    else go();
  }

  /** Puts the head of the queue on the wire; a corrupt one goes out wrong once. */
  private transmitHead(): void {
    const head = this.outQueue[0]!;
    if (head.corrupt) {
      head.corrupt = false;
      const bad = Buffer.from(head.bytes);
      const body = bad.subarray(1, bad.length - 3);
      const wrong = ((checksum(body) + 1) & 0xff).toString(16).padStart(2, '0');
      bad.write(wrong, bad.length - 2, 'latin1');
      this.write(bad);
    } else {
      this.write(head.bytes);
    }
  }

  private write(bytes: Buffer): void {
    const socket = this.socket;
    if (!socket || socket.destroyed) return;
    if (!this.splitWrites) {
      this.writing = this.writing.then(() => {
        if (!socket.destroyed) socket.write(bytes);
      });
      return;
    }
    this.writing = this.writing.then(async () => {
      for (const b of bytes) {
        if (socket.destroyed) return;
        socket.write(Uint8Array.of(b));
        await new Promise((r) => setImmediate(r));
      }
    });
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A fake stub and a client connected to it over its unix socket; `close` ends both. */
export async function startWithClient(
  handler: StubHandler,
  opts: ConnectionOptions = {},
): Promise<{ stub: FakeStub; client: GdbClient; close: () => Promise<void> }> {
  const stub = await FakeStub.start(handler);
  const client = new GdbClient(await RspConnection.connect(stub.target, { timeoutMs: 2000, ...opts }));
  await stub.waitConnected();
  const close = async (): Promise<void> => {
    client.close();
    await stub.close();
  };
  return { stub, client, close };
}
