/**
 * Pure framing of the GDB Remote Serial Protocol: checksums, `}` escapes and run-length
 * encoding (GDB manual, "Overview" of Remote Protocol: packets are `$payload#cs`, `cs` the
 * modulo-256 sum of the payload bytes as two hex digits; `}` escapes `#$}*` by XOR 0x20;
 * `*` followed by a character N repeats the previous character N-29 times).
 * No I/O here: every function maps bytes to bytes.
 */

const DOLLAR = 0x24;
const HASH = 0x23;
const ESCAPE = 0x7d;
const STAR = 0x2a;

/** Modulo-256 sum of the bytes. */
export function checksum(bytes: Uint8Array): number {
  let sum = 0;
  for (const b of bytes) sum = (sum + b) & 0xff;
  return sum;
}

/** Escapes the bytes that may not appear raw in a payload: `$`, `#`, `}` and `*`. */
export function escapeBinary(data: Uint8Array): Buffer {
  const out: number[] = [];
  for (const b of data) {
    if (b === DOLLAR || b === HASH || b === ESCAPE || b === STAR) out.push(ESCAPE, b ^ 0x20);
    else out.push(b);
  }
  return Buffer.from(out);
}

/** Frames a payload as `$payload#cs`. The payload must already be escaped where needed. */
export function frame(payload: string | Uint8Array): Buffer {
  const body = typeof payload === 'string' ? Buffer.from(payload, 'latin1') : Buffer.from(payload);
  const cs = checksum(body).toString(16).padStart(2, '0');
  return Buffer.concat([Buffer.from('$'), body, Buffer.from('#' + cs)]);
}

/**
 * Run-length encodes a payload as gdbserver does: a run of 4 or more identical characters
 * becomes `c*N` with N = count-1+29, never choosing an N of `#` or `$` (those counts are
 * shortened by one), and runs are split at 97 repeats (N at most `~`).
 */
export function runLengthEncode(payload: string): string {
  let out = '';
  let i = 0;
  while (i < payload.length) {
    const c = payload[i]!;
    let run = 1;
    while (i + run < payload.length && payload[i + run] === c && run < 98) run++;
    let repeat = run - 1; // repeats after the first character
    if (repeat >= 3) {
      // 29 + repeat must not be '#' (35) or '$' (36): counts 6 and 7 are shortened to 5.
      while (repeat + 29 === HASH || repeat + 29 === DOLLAR) repeat--;
      out += c + '*' + String.fromCharCode(repeat + 29);
      i += repeat + 1;
    } else {
      out += c;
      i += 1;
    }
  }
  return out;
}

export type DecodeResult = { ok: true; payload: Buffer } | { ok: false; reason: string };

/**
 * Undoes escapes and run-length encoding in one pass over the raw bytes between `$` and `#`.
 * Returns `ok: false` for a malformed body: a trailing `}`, a `*` with nothing before it or
 * no count after it, or a count below 3 repeats... as LLDB does, rather than guessing; and
 * for a body that decodes to more than `maxLength` bytes (each 2-byte run marker can add 97
 * bytes, so a short body may expand fifty-fold).
 */
export function decodePayload(raw: Uint8Array, maxLength = Number.POSITIVE_INFINITY): DecodeResult {
  const out: number[] = [];
  // The raw byte before a `*` is what repeats: gdbserver run-length encodes the escaped
  // stream and gdb's read_frame expands runs before undoing escapes, so after `}\x03` a run
  // repeats 0x03, not the `#` it stood for.
  let prevRaw = -1;
  for (let i = 0; i < raw.length; i++) {
    const b = raw[i]!;
    if (b === ESCAPE) {
      if (i + 1 >= raw.length) return { ok: false, reason: 'escape character at end of packet' };
      prevRaw = raw[++i]!;
      out.push(prevRaw ^ 0x20);
    } else if (b === STAR) {
      if (prevRaw < 0) return { ok: false, reason: 'run-length marker with no character before it' };
      if (i + 1 >= raw.length) return { ok: false, reason: 'run-length marker at end of packet' };
      const n = raw[++i]! - 29;
      if (n < 3 || n > 97) return { ok: false, reason: `run-length count ${n} out of range 3..97` };
      if (out.length + n > maxLength) return { ok: false, reason: `packet longer than ${maxLength} bytes once run-length decoded` };
      for (let k = 0; k < n; k++) out.push(prevRaw);
    } else {
      prevRaw = b;
      out.push(b);
    }
  }
  if (out.length > maxLength) return { ok: false, reason: `packet longer than ${maxLength} bytes once run-length decoded` };
  return { ok: true, payload: Buffer.from(out) };
}

/** Lowercase hex of bytes. */
export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex');
}

/** Bytes of a hex string; throws on odd length or a non-hex digit. */
export function fromHex(hex: string): Buffer {
  if (hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex)) {
    throw new Error(`not a hex byte string: ${hex.length > 40 ? hex.slice(0, 40) + '...' : hex}`);
  }
  return Buffer.from(hex, 'hex');
}

/** Hex of an ASCII string (qRcmd arguments). */
export function asciiToHex(s: string): string {
  return Buffer.from(s, 'latin1').toString('hex');
}

/** Little-endian unsigned integer of up to 8 bytes. */
export function readUintLE(bytes: Uint8Array, offset = 0, size = bytes.length - offset): bigint {
  let v = 0n;
  for (let i = size - 1; i >= 0; i--) v = (v << 8n) | BigInt(bytes[offset + i] ?? 0);
  return v;
}
