/**
 * A hostile guest behind the fake stub: a handler for `m addr,len` over a map of regions,
 * with the stub's behaviour switchable (honest, short replies, replies longer than asked,
 * garbage, memory that changes on every read), counting what the client asked for.
 */
import { accessSync, constants, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StubHandler } from '../fakes/fake-stub.js';
import type { Prng } from './prng.js';

export type StubMode = 'honest' | 'short' | 'long' | 'garbage' | 'changing';

export interface Region {
  base: bigint;
  /** Bytes, or a generator for regions too big to hold (megabytes of no NUL). */
  size: number;
  byte: (offset: number) => number;
}

const MASK = 2n ** 64n - 1n;

export class StubGuest {
  mode: StubMode = 'honest';
  /** Bytes asked for by `m` packets, bytes sent back, and how many `m` packets, since `reset`. */
  requested = 0;
  served = 0;
  packets = 0;
  readonly regions: Region[] = [];

  constructor(private readonly rng: Prng) {}

  reset(): void {
    this.requested = 0;
    this.served = 0;
    this.packets = 0;
  }

  add(base: bigint, size: number, byte: (offset: number) => number): this {
    this.regions.push({ base, size, byte });
    return this;
  }

  /** `len` bytes at `addr` as the guest holds them, or as many as are mapped from `addr` on. */
  private bytes(addr: bigint, len: number): Buffer | null {
    const out: number[] = [];
    for (let i = 0; i < len; i++) {
      const a = (addr + BigInt(i)) & MASK;
      const r = this.regions.find((g) => a >= g.base && a < g.base + BigInt(g.size));
      if (!r) break;
      out.push(this.mode === 'changing' ? this.rng.int(256) : r.byte(Number(a - r.base)));
    }
    return out.length === 0 ? null : Buffer.from(out);
  }

  /** The handler for FakeStub: `m` is served from the regions, anything else gets ''. */
  handler(): StubHandler {
    return (payload) => {
      const m = /^m([0-9a-f]+),([0-9a-f]+)$/.exec(payload);
      if (!m) return payload.startsWith('qSupported') ? 'PacketSize=1000' : '';
      const addr = BigInt('0x' + m[1]!);
      const len = parseInt(m[2]!, 16);
      this.packets++;
      this.requested += len;
      const rng = this.rng;
      switch (this.mode) {
        case 'garbage':
          // (A stop reply here would be kept for waitStop and the request time out: rsp fuzz.)
          return rng.pick(['', 'OK', 'E.no', 'E1', 'abc', '0', 'zz', 'x'.repeat(rng.int(50)), rng.bytes(rng.int(40)).toString('hex') + 'g']);
        case 'long': {
          const b = this.bytes(addr, len);
          return b === null ? 'E14' : Buffer.concat([b, rng.bytes(rng.range(1, 64))]).toString('hex');
        }
        case 'short': {
          const b = this.bytes(addr, len);
          return b === null ? 'E14' : b.subarray(0, Math.max(1, rng.int(b.length))).toString('hex');
        }
        default: {
          const b = this.bytes(addr, len);
          this.served += b?.length ?? 0;
          return b === null ? 'E14' : b.toString('hex');
        }
      }
    };
  }
}

/**
 * Gives this worker thread a TMPDIR of its own: FakeStub names its socket
 * `<tmpdir>/systrace-fake-stub-<pid>-<counter>.sock`, and worker threads share the pid and
 * each count from 1. (A worker's process.env is its own copy.) In /dev/shm when there is
 * one: files written per input cost ~0.02 ms there against ~2 ms on a disk.
 */
export function privateTmpdir(): string {
  let parent = tmpdir();
  try {
    accessSync('/dev/shm', constants.W_OK);
    parent = '/dev/shm';
  } catch {
    /* the usual tmpdir */
  }
  const dir = mkdtempSync(join(parent, 'systrace-fuzz-'));
  process.env.TMPDIR = dir;
  return dir;
}
