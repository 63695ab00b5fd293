/**
 * The kernel's own symbol tables as they sit in its .rodata (scripts/kallsyms.c writes them,
 * kernel/kallsyms.c reads them), recognised by their shape in a byte image. Pure functions over
 * a buffer: finding the tables in guest memory is kallsyms-memory.ts's job.
 *
 * Layout (6.1, base-relative): kallsyms_offsets[N] (s32), kallsyms_relative_base (pointer),
 * kallsyms_num_syms (u32), kallsyms_names (per symbol a length, 1 byte or 2 when the first has
 * bit 7 set, then token indices), kallsyms_markers[ceil(N/256)] (u32 offsets into names),
 * kallsyms_seqs_of_names[N] (3 bytes; only on kernels that have it), kallsyms_token_table
 * (256 NUL-terminated strings), kallsyms_token_index[256] (u16). Every label is aligned to the
 * word size.
 */

export interface KallsymsLayout {
  tokenTable: number;
  tokens: string[];
  markers: number;
  markerValues: number[];
  names: number;
  numSyms: number;
  relativeBase: number;
  offsets: number;
}

const DIGITS = Buffer.from('0\x001\x002\x003\x004\x005\x006\x007\x008\x009\x00', 'latin1');

const align = (v: number, a: number): number => Math.ceil(v / a) * a;

/** Positions of the token table's run of digit tokens ("0\0" ... "9\0") in `buf`. */
export function findDigitRuns(buf: Buffer, from = 0): number[] {
  const out: number[] = [];
  for (let i = buf.indexOf(DIGITS, from); i >= 0 && out.length < 64; i = buf.indexOf(DIGITS, i + 1)) out.push(i);
  return out;
}

/** NUL-terminated printable strings of 1..64 bytes from `p`: their texts and the end. */
function tokensFrom(buf: Buffer, p: number, count: number): { tokens: string[]; end: number } | undefined {
  const tokens: string[] = [];
  for (let i = 0; i < count; i++) {
    const nul = buf.indexOf(0, p);
    if (nul < 0 || nul === p || nul - p > 64) return undefined;
    const s = buf.toString('latin1', p, nul);
    if (!/^[\x20-\x7e]+$/.test(s)) return undefined;
    tokens.push(s);
    p = nul + 1;
  }
  return { tokens, end: p };
}

/**
 * The token table around a digit run at `pos`: the digits are tokens 0x30..0x39. The table's
 * start is told by kallsyms_token_index, which follows the table at the next word boundary:
 * entry 0x30 is the digits' offset from the start. (The byte before the table is not always a
 * NUL: with no alignment padding it is the last byte of kallsyms_seqs_of_names.) `word` 0 tries
 * 4 and 8. Returns the table's start, tokens and end, or undefined if the shape is wrong.
 */
export function tokenTableAt(buf: Buffer, pos: number, word: 0 | 4 | 8 = 0): { start: number; tokens: string[]; end: number } | undefined {
  const tail = tokensFrom(buf, pos, 256 - 0x30);
  if (!tail) return undefined;
  for (const w of word ? [word] : [4, 8]) {
    const idx = align(tail.end, w);
    if (idx + 512 > buf.length) continue;
    const start = pos - buf.readUInt16LE(idx + 2 * 0x30);
    if (start < 0 || start % w !== 0 || pos - start > 0x30 * 65 || buf.readUInt16LE(idx) !== 0) continue;
    const all = tokensFrom(buf, start, 256);
    if (!all || all.end !== tail.end) continue;
    return { start, tokens: all.tokens, end: all.end };
  }
  return undefined;
}

/** Checks that kallsyms_token_index follows the table (u16 offsets of each token). */
export function tokenIndexMatches(buf: Buffer, tableStart: number, tableEnd: number, tokens: string[], word: number): boolean {
  void tableStart;
  const idx = align(tableEnd, word); // the index label is word-aligned (buf index 0 is)
  if (idx + 512 > buf.length) return false;
  let off = 0;
  for (let i = 0; i < 256; i++) {
    if (buf.readUInt16LE(idx + 2 * i) !== off) return false;
    off += tokens[i]!.length + 1;
  }
  return true;
}

/** Where the next name entry starts, or -1 past the buffer. */
function skipEntry(buf: Buffer, p: number): number {
  if (p >= buf.length) return -1;
  let len = buf[p]!;
  p++;
  if (len & 0x80) {
    if (p >= buf.length) return -1;
    len = (len & 0x7f) | (buf[p]! << 7);
    p++;
  }
  return len === 0 ? -1 : p + len;
}

/**
 * Finds markers, names, num_syms, relative_base and offsets before a token table at
 * `tableStart` (all positions are offsets into `buf`, whose index 0 is word-aligned).
 */
export function layoutBefore(buf: Buffer, tableStart: number, word: number): KallsymsLayout | undefined {
  // Markers end right before the token table, or before kallsyms_seqs_of_names (3N bytes).
  // Find candidate marker arrays: u32 runs starting at 0, strictly increasing.
  const maxBack = Math.min(tableStart, 4 << 20);
  for (let m = align(tableStart - maxBack, word); m < tableStart; m += word) {
    if (buf.readUInt32LE(m) !== 0) continue;
    const values = [0];
    let p = m + 4;
    while (p + 4 <= tableStart) {
      const v = buf.readUInt32LE(p);
      const prev = values[values.length - 1]!;
      if (v <= prev || v - prev > 256 * 300) break;
      values.push(v);
      p += 4;
    }
    if (values.length < 2) continue; // a kernel has hundreds; fewer than 257 symbols is not one
    const markersEnd = align(m + 4 * values.length, word);
    const k = values.length;
    const lastMarker = values[k - 1]!;
    // num_syms is a u32 one word before the names, which end at or before the markers.
    const lo = Math.max(0, m - lastMarker - 256 * 300 - 2 * word);
    for (let x = align(lo, word); x + word <= m - lastMarker; x += word) {
      const n = buf.readUInt32LE(x);
      if (n <= (k - 1) * 256 || n > k * 256) continue;
      const names = x + word;
      // The seqs table (if any) must fill the gap up to the token table exactly.
      const gap = tableStart - markersEnd;
      if (gap !== 0 && gap !== align(3 * n, word)) continue;
      if (!namesConsistent(buf, names, values, n, m)) continue;
      const relativeBase = x - word;
      const offsets = relativeBase - align(4 * n, word);
      if (offsets < 0) continue;
      return { tokenTable: tableStart, tokens: [], markers: m, markerValues: values, names, numSyms: n, relativeBase, offsets };
    }
  }
  return undefined;
}

function namesConsistent(buf: Buffer, names: number, markers: number[], n: number, namesLimit: number): boolean {
  let p = names;
  for (let i = 0; i < n; i++) {
    if (i % 256 === 0 && p - names !== markers[i / 256]) return false;
    p = skipEntry(buf, p);
    if (p < 0 || p > namesLimit) return false;
  }
  return namesLimit - p < 2 * 8; // only alignment padding left
}

export interface RecoveredSymbol {
  name: string;
  type: string;
  /** The address as the running kernel uses it. */
  addr: bigint;
}

/**
 * Expands every symbol. `absolutePercpu`: x86_64 SMP kernels store per-CPU symbols as
 * non-negative absolute values and the rest as relative_base - 1 - offset
 * (kernel/kallsyms.c kallsyms_sym_address); other kernels use relative_base + (u32)offset.
 */
export function expandSymbols(buf: Buffer, l: KallsymsLayout, tokens: string[], word: number, absolutePercpu: boolean): RecoveredSymbol[] {
  const base = word === 8 ? buf.readBigUInt64LE(l.relativeBase) : BigInt(buf.readUInt32LE(l.relativeBase));
  const out: RecoveredSymbol[] = [];
  let p = l.names;
  for (let i = 0; i < l.numSyms; i++) {
    let len = buf[p]!;
    p++;
    if (len & 0x80) {
      len = (len & 0x7f) | (buf[p]! << 7);
      p++;
    }
    let s = '';
    for (let j = 0; j < len; j++) s += tokens[buf[p + j]!]!;
    p += len;
    const off = buf.readInt32LE(l.offsets + 4 * i);
    let addr: bigint;
    if (absolutePercpu) addr = off >= 0 ? BigInt(off) : base - 1n - BigInt(off);
    else addr = (base + BigInt(off >>> 0)) & (word === 8 ? 0xffff_ffff_ffff_ffffn : 0xffff_ffffn);
    out.push({ type: s[0] ?? '?', name: s.slice(1), addr });
  }
  return out;
}
