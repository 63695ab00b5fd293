/**
 * A reader of the kernel's BTF type data (include/uapi/linux/btf.h; Documentation/bpf/btf.rst),
 * enough to find the byte offsets of struct members such as task_struct.pid. The data is
 * untrusted input: every read is bounds-checked and a malformed file is a CONFIG_INVALID error.
 */
import { readFileSync } from 'node:fs';
import { UserError } from '../util/errors.js';

const KIND_STRUCT = 4;
const KIND_UNION = 5;
/** Bytes after the 12-byte btf_type header, per kind (vlen = number of members/params). */
function extraBytes(kind: number, vlen: number): number {
  switch (kind) {
    case 1: return 4; // INT
    case 3: return 12; // ARRAY
    case 4: case 5: return vlen * 12; // STRUCT, UNION: btf_member
    case 6: return vlen * 8; // ENUM
    case 13: return vlen * 8; // FUNC_PROTO: btf_param
    case 14: return 4; // VAR
    case 15: return vlen * 12; // DATASEC
    case 17: return 4; // DECL_TAG
    case 19: return vlen * 12; // ENUM64
    default: return 0; // PTR, FWD, TYPEDEF, VOLATILE, CONST, RESTRICT, FUNC, FLOAT, TYPE_TAG
  }
}

interface BtfType {
  name: string;
  kind: number;
  size: number;
  /** STRUCT/UNION members: name, type id, bit offset. */
  members: Array<{ name: string; type: number; bitOffset: number }>;
}

export class Btf {
  private readonly types: BtfType[] = [{ name: '', kind: 0, size: 0, members: [] }]; // id 0 = void
  private readonly structs = new Map<string, number>();

  constructor(data: Buffer, readonly source: string) {
    const bad = (what: string): never => {
      throw new UserError('CONFIG_INVALID', `${source}: not usable BTF data: ${what}`);
    };
    if (data.length < 24 || data.readUInt16LE(0) !== 0xeb9f) bad('no BTF magic 0xeb9f (little-endian)');
    const hdrLen = data.readUInt32LE(4);
    const typeOff = hdrLen + data.readUInt32LE(8);
    const typeLen = data.readUInt32LE(12);
    const strOff = hdrLen + data.readUInt32LE(16);
    const strLen = data.readUInt32LE(20);
    if (typeOff + typeLen > data.length || strOff + strLen > data.length) bad('sections beyond the end of the file');
    const str = (off: number): string => {
      if (off >= strLen) return bad(`string offset ${off} out of range`);
      const end = data.indexOf(0, strOff + off);
      return data.toString('latin1', strOff + off, end < 0 || end > strOff + strLen ? strOff + strLen : end);
    };
    let p = typeOff;
    const end = typeOff + typeLen;
    while (p < end) {
      if (p + 12 > end) bad('truncated type');
      const nameOff = data.readUInt32LE(p);
      const info = data.readUInt32LE(p + 4);
      const size = data.readUInt32LE(p + 8);
      const kind = (info >>> 24) & 0x1f;
      const vlen = info & 0xffff;
      const kindFlag = info >>> 31;
      const extra = extraBytes(kind, vlen);
      if (p + 12 + extra > end) bad('truncated type data');
      const t: BtfType = { name: str(nameOff), kind, size, members: [] };
      if (kind === KIND_STRUCT || kind === KIND_UNION) {
        for (let i = 0; i < vlen; i++) {
          const m = p + 12 + i * 12;
          const off = data.readUInt32LE(m + 8);
          t.members.push({ name: str(data.readUInt32LE(m)), type: data.readUInt32LE(m + 4), bitOffset: kindFlag ? off & 0xffffff : off });
        }
        if (kind === KIND_STRUCT && t.name && !this.structs.has(t.name)) this.structs.set(t.name, this.types.length);
      }
      this.types.push(t);
      p += 12 + extra;
    }
  }

  /**
   * Byte offset of `member` in `struct name`, looking through anonymous structs and unions
   * (task_struct keeps some members in them); undefined when absent.
   */
  memberOffset(struct: string, member: string): number | undefined {
    const id = this.structs.get(struct);
    return id === undefined ? undefined : this.find(id, member, 0, 0);
  }

  private find(id: number, member: string, base: number, depth: number): number | undefined {
    const t = this.types[id];
    if (!t || depth > 8) return undefined;
    for (const m of t.members) {
      if (m.name === member) return (base + m.bitOffset) / 8;
      if (m.name === '') {
        const inner = this.resolve(m.type);
        if (inner !== undefined) {
          const found = this.find(inner, member, base + m.bitOffset, depth + 1);
          if (found !== undefined) return found;
        }
      }
    }
    return undefined;
  }

  /** Follows typedef/const/volatile to a struct or union id. */
  private resolve(id: number): number | undefined {
    for (let i = 0; i < 16; i++) {
      const t = this.types[id];
      if (!t) return undefined;
      if (t.kind === KIND_STRUCT || t.kind === KIND_UNION) return id;
      if (![8, 9, 10, 11, 18].includes(t.kind)) return undefined;
      id = t.size; // size_or_type holds the referenced type for these kinds
    }
    return undefined;
  }
}

export function loadBtf(file: string): Btf {
  let data: Buffer;
  try {
    data = readFileSync(file);
  } catch (e) {
    throw new UserError('FILE_NOT_FOUND', `cannot read BTF file ${file}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
  return new Btf(data, file);
}
