/**
 * Guest memory as decoders see it. Reads never throw: an unreadable address gives null,
 * and the decoder prints the raw pointer instead (strace's umove failure rule).
 */
export interface GuestMemory {
  /** Up to `len` bytes at `addr`; null when the first byte cannot be read. */
  read(addr: bigint, len: number): Promise<Buffer | null>;
  /**
   * A NUL-terminated string of at most `max` bytes; `terminated` false when no NUL was
   * found within `max`. Null when nothing at `addr` can be read.
   */
  readString(addr: bigint, max: number): Promise<{ bytes: Buffer; terminated: boolean } | null>;
}

/** Memory that holds nothing: every read fails (offline decoding, tests). */
export const NO_MEMORY: GuestMemory = {
  read: async () => null,
  readString: async () => null,
};

/** Memory from a map of address -> bytes (golden tests, replay). */
export function staticMemory(regions: Array<[bigint, Uint8Array]>): GuestMemory {
  const find = (addr: bigint): Buffer | null => {
    for (const [base, data] of regions) {
      if (addr >= base && addr < base + BigInt(data.length)) return Buffer.from(data).subarray(Number(addr - base));
    }
    return null;
  };
  return {
    read: async (addr, len) => find(addr)?.subarray(0, len) ?? null,
    readString: async (addr, max) => {
      const b = find(addr);
      if (!b) return null;
      const nul = b.subarray(0, max).indexOf(0);
      return nul >= 0 ? { bytes: b.subarray(0, nul), terminated: true } : { bytes: b.subarray(0, max), terminated: false };
    },
  };
}
