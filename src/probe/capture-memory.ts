/**
 * GuestMemory over the bytes the recorder captured for one call: decodeEnter and
 * decodeReturn read through it exactly as they read live memory through the stub. What
 * was not captured reads as unreadable (the decoder then prints the address, as for a bad
 * pointer), and is counted so that a gap in the capture rules shows.
 */
import type { GuestMemory } from '../decode/memory.js';
import { CapStatus, type CapturedBytes } from './layout.js';

export class CaptureMemory implements GuestMemory {
  misses = 0;
  /** `layers`: searched in order (the return's captures before the entry's). */
  constructor(private readonly layers: CapturedBytes[][]) {}

  private find(addr: bigint): { cap: CapturedBytes; at: number } | undefined {
    for (const caps of this.layers) {
      for (const cap of caps) {
        if (cap.status === CapStatus.Fault) continue;
        const at = addr - cap.addr;
        const str = cap.status === CapStatus.Str;
        // A capture of no bytes (a read that returned 0) still answers a read at its address.
        if (at === 0n || (at > 0n && at < BigInt(cap.bytes.length + (str ? 1 : 0)))) return { cap, at: Number(at) };
      }
    }
    return undefined;
  }

  async read(addr: bigint, len: number): Promise<Buffer | null> {
    const f = this.find(addr);
    if (!f) {
      this.misses++;
      return null;
    }
    const whole = f.cap.status === CapStatus.Str ? Buffer.concat([f.cap.bytes, Buffer.alloc(1)]) : f.cap.bytes;
    return whole.subarray(f.at, f.at + Math.max(0, len));
  }

  async readString(addr: bigint, max: number): Promise<{ bytes: Buffer; terminated: boolean } | null> {
    const f = this.find(addr);
    if (!f) {
      this.misses++;
      return null;
    }
    const b = f.cap.bytes.subarray(f.at);
    const nul = b.indexOf(0);
    if (nul >= 0 && nul <= max) return { bytes: b.subarray(0, nul), terminated: true };
    if (b.length > max) return { bytes: b.subarray(0, max), terminated: false };
    // The whole capture fits: it is the string when the recorder found its NUL.
    if (f.cap.status === CapStatus.Str) return { bytes: b, terminated: true };
    return { bytes: b, terminated: false };
  }
}
