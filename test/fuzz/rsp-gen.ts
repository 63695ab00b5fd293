/**
 * Generators of RSP byte streams for the fuzz tests: good packets (escaped, run-length
 * encoded, notifications), packets broken in every documented way (bad checksums, bad
 * escapes and run-length counts, truncation, bodies beyond MAX_PACKET_BYTES, run-length
 * bombs), junk and floods, and random splits of a stream into chunks.
 */
import { checksum, escapeBinary, frame, runLengthEncode } from '../../src/gdbstub/framing.js';
import { MAX_PACKET_BYTES } from '../../src/gdbstub/reader.js';
import type { Prng } from './prng.js';

const L = (s: string): Buffer => Buffer.from(s, 'latin1');
/** Bytes that mean something to the reader, to make junk interesting. */
const SPECIAL = L('$#%+-}*\x03');
const HEXDIGITS = L('0123456789abcdefABCDEF');

/** A payload as a stub might send: text, hex, binary, runs, all 256 byte values. */
export function payload(rng: Prng): Buffer {
  const n = rng.smallLength(300);
  switch (rng.int(6)) {
    case 0:
      return rng.bytes(n);
    case 1:
      return L(rng.bytes(n >> 1).toString('hex'));
    case 2:
      return L(rng.pick(['OK', '', 'E01', 'E.bad', 'T05thread:p01.01;', 'S05', 'W00', 'X09;process:1', 'l<target/>', 'm' + 'ab'.repeat(50), 'O48690a', 'PacketSize=1000;qXfer:features:read+']));
    case 3: {
      // Runs, to exercise run-length encoding.
      const parts: Buffer[] = [];
      while (parts.reduce((a, b) => a + b.length, 0) < n) parts.push(Buffer.alloc(rng.range(1, 300), rng.pick([0x30, 0x78, 0x23, 0x24, 0x7d, 0x2a, 0x00, 0x20, rng.int(256)])));
      return Buffer.concat(parts);
    }
    case 4: {
      const out = Buffer.alloc(n);
      for (let i = 0; i < n; i++) out[i] = rng.chance(0.3) ? SPECIAL[rng.int(SPECIAL.length)]! : 0x20 + rng.int(95);
      return out;
    }
    default:
      return L('x'.repeat(n));
  }
}

/** The body of a well-formed packet for `p`: escaped, sometimes run-length encoded. */
export function encodeBody(rng: Prng, p: Uint8Array): Buffer {
  const escaped = escapeBinary(p);
  return rng.chance(0.5) ? L(runLengthEncode(escaped.toString('latin1'))) : escaped;
}

/** `$body#cs` (or `%body#cs`) with the right checksum. */
export function framed(body: Uint8Array, notification = false): Buffer {
  const f = frame(body);
  if (notification) f[0] = 0x25;
  return f;
}

function hex2(n: number): Buffer {
  return L((n & 0xff).toString(16).padStart(2, '0'));
}

/** Junk: random bytes, or bytes drawn mostly from the ones the reader reacts to. */
export function junk(rng: Prng, max = 200): Buffer {
  const n = rng.smallLength(max);
  if (rng.chance(0.5)) return rng.bytes(n);
  const out = Buffer.alloc(n);
  for (let i = 0; i < n; i++) out[i] = rng.chance(0.5) ? SPECIAL[rng.int(SPECIAL.length)]! : rng.chance(0.5) ? HEXDIGITS[rng.int(HEXDIGITS.length)]! : rng.int(256);
  return out;
}

/** A piece of a stream and what kind it is (for counting). */
export interface Piece {
  kind: string;
  bytes: Buffer;
}

/** One piece of hostile stream. `big` allows the rare megabyte-sized pieces. */
export function piece(rng: Prng, big: boolean): Piece {
  const kind = rng.weighted<string>([
    [20, 'packet'],
    [4, 'notification'],
    [8, 'junk'],
    [6, 'acks'],
    [8, 'bad-checksum'],
    [4, 'non-hex-checksum'],
    [6, 'bad-escape'],
    [6, 'bad-rle'],
    [6, 'truncated'],
    [3, 'rle-bomb'],
    [1, 'junk-flood'],
    [big ? 1 : 0, 'huge'],
  ]);
  switch (kind) {
    case 'packet':
      return { kind, bytes: framed(encodeBody(rng, payload(rng))) };
    case 'notification':
      return { kind, bytes: framed(encodeBody(rng, payload(rng)), true) };
    case 'junk':
      return { kind, bytes: junk(rng) };
    case 'acks': {
      const n = rng.smallLength(64);
      return { kind, bytes: L(Array.from({ length: n }, () => (rng.chance(0.7) ? '+' : '-')).join('')) };
    }
    case 'bad-checksum': {
      const body = encodeBody(rng, payload(rng));
      return { kind, bytes: Buffer.concat([L('$'), body, L('#'), hex2(checksum(body) + rng.range(1, 255))]) };
    }
    case 'non-hex-checksum': {
      const body = encodeBody(rng, payload(rng));
      const cs = Buffer.from([rng.int(256), rng.int(256)]);
      return { kind, bytes: Buffer.concat([L('$'), body, L('#'), cs]) };
    }
    case 'bad-escape': {
      // A `}` at the end, or in the middle followed by anything, with a right checksum.
      const body = Buffer.concat([encodeBody(rng, payload(rng)), L('}'), rng.chance(0.5) ? Buffer.alloc(0) : rng.bytes(rng.int(3))]);
      return { kind, bytes: framed(body) };
    }
    case 'bad-rle': {
      // `*` first, `*` last, counts outside 3..97 (any byte after `*`).
      const pre = rng.chance(0.3) ? Buffer.alloc(0) : encodeBody(rng, payload(rng));
      const body = Buffer.concat([pre, L('*'), rng.chance(0.2) ? Buffer.alloc(0) : Buffer.from([rng.int(256)]), rng.bytes(rng.int(4))]);
      return { kind, bytes: framed(body) };
    }
    case 'truncated': {
      const whole = framed(encodeBody(rng, payload(rng)));
      return { kind, bytes: whole.subarray(0, rng.int(whole.length)) };
    }
    case 'rle-bomb': {
      // Two raw bytes per 97 decoded ones: a small body that decodes beyond MAX_PACKET_BYTES.
      const edge = Math.floor(MAX_PACKET_BYTES / 97);
      const runs = big ? (rng.chance(0.5) ? rng.range(edge - 3, edge + 3) : rng.range(edge, edge + 5000)) : rng.range(1, 200);
      const body = Buffer.concat([L('a'), Buffer.alloc(runs * 2, '*~', 'latin1')]);
      return { kind, bytes: framed(body) };
    }
    case 'junk-flood':
      return { kind, bytes: rng.chance(0.5) ? rng.bytes(rng.range(5_000, 50_000)) : Buffer.alloc(rng.range(5_000, 50_000), rng.pick([0x2b, 0x2d, 0x03, 0x23, 0x00])) };
    default: {
      // Bodies longer than MAX_PACKET_BYTES, with or without an end.
      const body = Buffer.alloc(MAX_PACKET_BYTES + rng.range(1, 4096), 0x30 + rng.int(10));
      return { kind, bytes: Buffer.concat([L('$'), body, rng.chance(0.8) ? L('#00') : Buffer.alloc(0)]) };
    }
  }
}

/** Splits a stream into chunks: whole, byte by byte (short streams), or at random points. */
export function split(rng: Prng, data: Buffer): Buffer[] {
  const mode = rng.int(4);
  if (mode === 0 || data.length === 0) return [data];
  if (mode === 1 && data.length <= 2048) return Array.from({ length: data.length }, (_, i) => data.subarray(i, i + 1));
  const cuts = new Set<number>();
  const n = rng.smallLength(Math.min(64, data.length));
  for (let i = 0; i < n; i++) cuts.add(rng.int(data.length + 1));
  const points = [0, ...[...cuts].sort((a, b) => a - b), data.length];
  const out: Buffer[] = [];
  for (let i = 1; i < points.length; i++) out.push(data.subarray(points[i - 1]!, points[i]!));
  return out;
}
