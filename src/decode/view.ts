/**
 * Little-endian reads from a guest buffer, with bounds: a field past the end reads as
 * undefined so a short read never throws (struct printers print what they have).
 */
export class View {
  constructor(readonly buf: Buffer) {}

  get length(): number {
    return this.buf.length;
  }

  has(off: number, size: number): boolean {
    return off + size <= this.buf.length;
  }

  u8(off: number): number {
    return this.buf.readUInt8(off);
  }

  u16(off: number): number {
    return this.buf.readUInt16LE(off);
  }

  u32(off: number): number {
    return this.buf.readUInt32LE(off);
  }

  i32(off: number): number {
    return this.buf.readInt32LE(off);
  }

  u64(off: number): bigint {
    return this.buf.readBigUInt64LE(off);
  }

  i64(off: number): bigint {
    return this.buf.readBigInt64LE(off);
  }

  /** An unsigned word of `size` bytes (4 or 8). */
  word(off: number, size: number): bigint {
    return size === 8 ? this.u64(off) : BigInt(this.u32(off));
  }
}
