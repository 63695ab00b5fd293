/**
 * Guest memories a hostile guest could present to the decoders, each instrumented to count
 * the calls and bytes the decoder asks for. They keep the GuestMemory contract (never more
 * than asked, null when nothing is readable); what they hold is hostile:
 * - `unmapped`: nothing is readable;
 * - `endless`: every byte is readable and none is NUL (megabytes of string with no end),
 *   with non-UTF-8 bytes;
 * - `flaky`: every read gives other bytes and another length, sometimes nothing (memory
 *   that changes between reads, as another vCPU writes it);
 * - `sparse`: a few mapped pages of random bytes (NULs included) among unmapped ones,
 *   reads cut at the end of a mapped page as the stub cuts them;
 * - `full`: everything readable, every read exactly as long as asked, strings end at a NUL
 *   now and then: with it, no memory-reading argument may fall back to its raw value.
 */
import type { GuestMemory } from '../../src/decode/memory.js';
import type { Prng } from './prng.js';

export type MemoryModel = 'unmapped' | 'endless' | 'flaky' | 'sparse' | 'full';
export const MODELS: readonly MemoryModel[] = ['unmapped', 'endless', 'flaky', 'sparse', 'full'];

const PAGE = 4096n;

export interface Request {
  op: 'read' | 'readString';
  addr: bigint;
  len: number;
}

export class HostileMemory implements GuestMemory {
  /** Bytes asked for (len of read, max of readString) since the last `reset`. */
  requested = 0;
  /** Bytes handed back (a string's NUL included), since the last `reset`: what was read. */
  returned = 0;
  /** The largest single ask since the last `reset`. */
  largest = 0;
  calls = 0;
  /** The first requests with a bad address or length type, for the report. */
  readonly bad: Request[] = [];
  /** Base addresses of mapped pages (`sparse`), for pointers that land somewhere. */
  readonly pages: bigint[] = [];
  private readonly pageData = new Map<bigint, Buffer>();

  constructor(readonly model: MemoryModel, private readonly rng: Prng) {
    if (model === 'sparse') {
      const n = rng.range(1, 8);
      for (let i = 0; i < n; i++) {
        const base = (rng.chance(0.5) ? BigInt(rng.range(1, 0xfffff)) : rng.u64() >> 12n) * PAGE;
        const data = rng.bytes(Number(PAGE));
        // Some NULs, some pointers into the mapped pages, so string arrays can be walked.
        for (let k = 0; k < 64; k++) data[rng.int(data.length)] = 0;
        this.pages.push(base);
        this.pageData.set(base, data);
      }
      for (const [, data] of this.pageData) {
        for (let k = 0; k < 16; k++) {
          const at = rng.int(data.length / 8) * 8;
          data.writeBigUInt64LE(this.pages[rng.int(this.pages.length)]! + BigInt(rng.int(4096)), at);
        }
      }
    }
  }

  reset(): void {
    this.requested = 0;
    this.returned = 0;
    this.largest = 0;
    this.calls = 0;
  }

  /** A pointer worth trying with this memory: into a mapped page when there is one. */
  pointer(): bigint {
    if (this.pages.length > 0 && this.rng.chance(0.7)) return this.rng.pick(this.pages) + BigInt(this.rng.int(4096));
    return this.rng.u64();
  }

  private note(op: Request['op'], addr: bigint, len: number): void {
    this.calls++;
    if (typeof addr !== 'bigint' || typeof len !== 'number' || !Number.isInteger(len) || len < 0) {
      if (this.bad.length < 4) this.bad.push({ op, addr, len });
    }
    this.requested += Number.isFinite(len) && len > 0 ? len : 0;
    this.largest = Math.max(this.largest, len);
  }

  /** Bytes at addr: how many and which, by model (null: unreadable). */
  private bytesAt(addr: bigint, len: number, forString: boolean): Buffer | null {
    const rng = this.rng;
    const n = Math.max(0, Math.min(len, 1 << 20));
    switch (this.model) {
      case 'unmapped':
        return null;
      case 'endless': {
        // Random non-NUL bytes up front, then one non-NUL byte over and over (megabytes of
        // random bytes would cost more than the decoding under test).
        const b = Buffer.alloc(n, 0x80 | rng.int(128));
        rng.bytes(Math.min(n, 256)).copy(b);
        for (let i = 0; i < Math.min(n, 256); i++) if (b[i] === 0) b[i] = 0x80 | rng.int(128);
        return b;
      }
      case 'flaky': {
        if (rng.chance(0.2)) return null;
        const b = rng.bytes(rng.int(n + 1));
        if (forString && rng.chance(0.5) && b.length > 0) b[rng.int(b.length)] = 0;
        return b;
      }
      case 'sparse': {
        const base = addr - (addr % PAGE);
        const page = addr >= 0n ? this.pageData.get(base) : undefined;
        if (!page) return null;
        const off = Number(addr - base);
        return Buffer.from(page.subarray(off, off + n));
      }
      case 'full': {
        const b = n <= 4096 ? rng.bytes(n) : Buffer.concat([rng.bytes(4096), Buffer.alloc(n - 4096, 1 + rng.int(255))]);
        if (forString) for (let i = 0; i < b.length; i++) if (b[i] === 0) b[i] = 1;
        if (forString && n > 0 && rng.chance(0.7)) b[rng.int(n)] = 0;
        return b;
      }
    }
  }

  async read(addr: bigint, len: number): Promise<Buffer | null> {
    this.note('read', addr, len);
    const b = this.bytesAt(addr, len, false);
    if (b !== null && b.length === 0 && len > 0) return null;
    this.returned += b?.length ?? 0;
    return b;
  }

  async readString(addr: bigint, max: number): Promise<{ bytes: Buffer; terminated: boolean } | null> {
    this.note('readString', addr, max);
    const want = Math.max(0, Math.min(max, 1 << 20));
    const b = this.bytesAt(addr, want, true);
    if (b === null || (b.length === 0 && want > 0 && this.model !== 'full')) return null;
    const nul = b.indexOf(0);
    this.returned += nul >= 0 ? nul + 1 : b.length;
    return nul >= 0 ? { bytes: b.subarray(0, nul), terminated: true } : { bytes: b, terminated: false };
  }
}
