/**
 * Fuzz target: the RSP reader state machine (RspReader.feed) and decodePayload on hostile
 * streams. Invariants checked per input:
 * - feed and decodePayload never throw;
 * - events are only of the documented kinds, with well-typed fields; no packet payload is
 *   larger than MAX_PACKET_BYTES (memory stays bounded whatever the stub sends);
 * - junk counts never exceed the bytes fed;
 * - the events do not depend on how the stream is split into chunks (junk merged);
 * - a good packet sent after any junk is recovered by its first retransmission (the `-`
 *   that a bad checksum earns): junk can swallow at most one copy;
 * - decodePayload undoes escapeBinary + runLengthEncode exactly.
 */
import { decodePayload, escapeBinary, frame } from '../../../src/gdbstub/framing.js';
import { MAX_PACKET_BYTES, RspReader, type ReaderEvent } from '../../../src/gdbstub/reader.js';
import { encodeBody, payload, piece, split } from '../rsp-gen.js';
import { check, show, type FuzzTarget } from '../target.js';

/** Events with adjacent junk merged: how junk is split depends on where chunks end. */
function merged(events: ReaderEvent[]): ReaderEvent[] {
  const out: ReaderEvent[] = [];
  for (const ev of events) {
    const last = out[out.length - 1];
    if (ev.kind === 'junk' && last?.kind === 'junk') out[out.length - 1] = { kind: 'junk', bytes: last.bytes + ev.bytes };
    else out.push(ev);
  }
  return out;
}

function sameEvent(a: ReaderEvent, b: ReaderEvent): boolean {
  if (a.kind !== b.kind) return false;
  switch (a.kind) {
    case 'packet':
      return b.kind === 'packet' && a.notification === b.notification && a.payload.equals(b.payload);
    case 'bad-checksum':
      return b.kind === 'bad-checksum' && a.expected === b.expected && a.actual === b.actual;
    case 'malformed':
      return b.kind === 'malformed' && a.reason === b.reason;
    case 'junk':
      return b.kind === 'junk' && a.bytes === b.bytes;
    default:
      return true;
  }
}

/** Index of the first difference between two merged event lists, or -1. */
function firstDifference(a: ReaderEvent[], b: ReaderEvent[]): number {
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i++) if (!a[i] || !b[i] || !sameEvent(a[i]!, b[i]!)) return i;
  return -1;
}

function brief(ev: ReaderEvent | undefined): string {
  if (!ev) return 'nothing';
  return ev.kind === 'packet' ? `packet ${show(ev.payload, 60)}${ev.notification ? ' (notification)' : ''}` : JSON.stringify(ev);
}

function validate(ev: ReaderEvent, where: string): void {
  switch (ev.kind) {
    case 'ack':
    case 'nack':
      check(Object.keys(ev).length === 1, `${where}: ${ev.kind} with extra fields`);
      return;
    case 'packet':
      check(Buffer.isBuffer(ev.payload), `${where}: packet payload is not a Buffer`);
      check(ev.payload.length <= MAX_PACKET_BYTES, `${where}: packet payload of ${ev.payload.length} bytes exceeds MAX_PACKET_BYTES`);
      check(typeof ev.notification === 'boolean', `${where}: notification not boolean`);
      return;
    case 'bad-checksum':
      check(Number.isInteger(ev.expected) && ev.expected >= -1 && ev.expected <= 255, `${where}: bad expected ${ev.expected}`);
      check(Number.isInteger(ev.actual) && ev.actual >= 0 && ev.actual <= 255, `${where}: bad actual ${ev.actual}`);
      return;
    case 'malformed':
      check(typeof ev.reason === 'string' && ev.reason.length > 0, `${where}: malformed without a reason`);
      return;
    case 'junk':
      check(Number.isInteger(ev.bytes) && ev.bytes > 0, `${where}: junk of ${ev.bytes} bytes`);
      return;
    default:
      throw new Error(`${where}: undocumented event kind ${(ev as { kind: unknown }).kind}`);
  }
}

function feedAll(chunks: Buffer[], where: string): { events: ReaderEvent[]; reader: RspReader } {
  const reader = new RspReader();
  const events: ReaderEvent[] = [];
  for (const c of chunks) for (const ev of reader.feed(c)) events.push(ev);
  for (const ev of events) validate(ev, where);
  return { events, reader };
}

export const target: FuzzTarget = {
  run(rng) {
    const big = rng.chance(1 / 400);
    const kinds: string[] = [];
    const parts: Buffer[] = [];
    const n = rng.range(1, 6);
    for (let i = 0; i < n; i++) {
      const p = piece(rng, big);
      kinds.push(p.kind);
      parts.push(p.bytes);
    }
    // A good packet after the junk, twice: the second copy must always come through.
    const recover = rng.chance(0.3);
    const good = escapeBinary(payload(rng).subarray(0, 200));
    if (recover) parts.push(frame(good), frame(good));
    const stream = Buffer.concat(parts);
    const where = `stream of ${stream.length} bytes [${kinds.join(' ')}${recover ? ' +recover' : ''}] ${show(stream, 80)}`;

    const whole = feedAll([stream], where);
    const junkBytes = whole.events.reduce((a, ev) => a + (ev.kind === 'junk' ? ev.bytes : 0), 0);
    check(junkBytes <= stream.length, `${where}: ${junkBytes} junk bytes reported from ${stream.length}`);

    const a = merged(whole.events);
    const chunks = split(rng, stream);
    if (chunks.length > 1) {
      const pieces = feedAll(chunks, `${where} in ${chunks.length} chunks`);
      const b = merged(pieces.events);
      const d = firstDifference(a, b);
      check(d < 0, () => `${where}: event ${d} differs when split into ${chunks.length} chunks: whole gives ${brief(a[d])}, split gives ${brief(b[d])}`);
      check(whole.reader.midPacket === pieces.reader.midPacket, `${where}: midPacket differs when split`);
    }

    if (recover) {
      const last = a.filter((e) => e.kind !== 'junk').pop();
      const want: ReaderEvent = { kind: 'packet', payload: (decodePayload(good) as { payload: Buffer }).payload, notification: false };
      check(last !== undefined && sameEvent(last, want), () => `${where}: the retransmitted packet was not recovered; last event ${brief(last)}, wanted ${brief(want)}`);
      check(!whole.reader.midPacket, `${where}: reader left mid-packet after a good packet`);
    }

    // decodePayload alone: on raw bodies of any kind, and as the inverse of the encoders.
    const raw = rng.chance(0.5) ? stream.subarray(0, 4096) : rng.bytes(rng.smallLength(512));
    const limit = rng.chance(0.5) ? Number.POSITIVE_INFINITY : rng.smallLength(4096);
    const dec = decodePayload(raw, limit);
    check(typeof dec.ok === 'boolean', 'decodePayload result without ok');
    if (!dec.ok) check(typeof dec.reason === 'string' && dec.reason.length > 0, 'decodePayload failure without a reason');
    else check(dec.payload.length <= limit, () => `decodePayload gave ${dec.payload.length} bytes, limit ${limit}`);
    const p = payload(rng);
    const round = decodePayload(encodeBody(rng, p));
    check(round.ok && round.payload.equals(p), () => `decodePayload(encode(${show(p, 60)})) gave ${round.ok ? show(round.payload, 60) : round.reason}`);

    return kinds.includes('huge') || kinds.includes('rle-bomb') ? 'with oversized packet' : 'ordinary';
  },
};
