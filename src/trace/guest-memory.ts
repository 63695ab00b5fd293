/**
 * GuestMemory over the stub's `m` packets, through the page tables of the selected vCPU.
 * Reads are bounded and split at page edges, so a string that ends just before an unmapped
 * page is still read, and a hostile length never turns into an unbounded read.
 */
import type { GdbClient } from '../gdbstub/client.js';
import type { GuestMemory } from '../decode/memory.js';

const PAGE = 0x1000n;
/** No single decode reads more than this. */
export const MAX_READ = 64 * 1024;

export class StubMemory implements GuestMemory {
  constructor(private readonly client: GdbClient) {}

  async read(addr: bigint, len: number): Promise<Buffer | null> {
    const n = Math.max(0, Math.min(len, MAX_READ));
    if (n === 0) return Buffer.alloc(0);
    // First the part up to the page edge: if even that fails, the pointer is bad.
    const parts: Buffer[] = [];
    let done = 0;
    while (done < n) {
      const at = addr + BigInt(done);
      const toEdge = Number(PAGE - (at % PAGE));
      const want = Math.min(n - done, toEdge);
      const { data } = await this.client.readMemoryPartial(at, want);
      parts.push(data);
      done += data.length;
      if (data.length < want) break;
    }
    return done === 0 ? null : Buffer.concat(parts);
  }

  async readString(addr: bigint, max: number): Promise<{ bytes: Buffer; terminated: boolean } | null> {
    const parts: Buffer[] = [];
    let done = 0;
    const limit = Math.min(max, MAX_READ);
    while (done <= limit) {
      const at = addr + BigInt(done);
      const toEdge = Number(PAGE - (at % PAGE));
      const want = Math.min(toEdge, 256, limit + 1 - done);
      const { data } = await this.client.readMemoryPartial(at, want);
      const nul = data.indexOf(0);
      if (nul >= 0) {
        parts.push(data.subarray(0, nul));
        return { bytes: Buffer.concat(parts), terminated: true };
      }
      parts.push(data);
      done += data.length;
      if (data.length < want) break;
    }
    if (done === 0) return null;
    const bytes = Buffer.concat(parts);
    return { bytes: bytes.subarray(0, limit), terminated: false };
  }
}
