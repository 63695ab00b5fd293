/**
 * The RSP byte-stream reader: tables of raw streams and the events they must give, each
 * re-run split at every byte boundary (two and three chunks) and one byte at a time.
 * GDB manual, "Overview", "Packet Acknowledgment", "Notification Packets".
 */
import t from 'tap';
import { frame } from '../../src/gdbstub/framing.js';
import { MAX_PACKET_BYTES, RspReader, type ReaderEvent } from '../../src/gdbstub/reader.js';

/** An event as plain data: payloads as latin1 strings so `t.same` shows them. */
type Plain =
  | { kind: 'ack' | 'nack' }
  | { kind: 'packet'; payload: string; notification: boolean }
  | { kind: 'bad-checksum'; expected: number; actual: number }
  | { kind: 'malformed'; reason: string }
  | { kind: 'junk'; bytes: number };

function plain(ev: ReaderEvent): Plain {
  return ev.kind === 'packet' ? { kind: 'packet', payload: ev.payload.toString('latin1'), notification: ev.notification } : { ...ev };
}

/** Adjacent junk events merged: how junk is split depends on where chunks end. */
function normalise(events: ReaderEvent[]): Plain[] {
  return mergeJunk(events.map(plain));
}

function mergeJunk(events: Plain[]): Plain[] {
  const out: Plain[] = [];
  for (const ev of events.map((e) => ({ ...e }))) {
    const last = out[out.length - 1];
    if (ev.kind === 'junk' && last?.kind === 'junk') last.bytes += ev.bytes;
    else out.push(ev);
  }
  return out;
}

function feedChunks(chunks: Uint8Array[]): ReaderEvent[] {
  const r = new RspReader();
  return chunks.flatMap((c) => r.feed(c));
}

const L = (s: string): Buffer => Buffer.from(s, 'latin1');
const pkt = (payload: string, notification = false): Plain => ({ kind: 'packet', payload, notification });
const ACK: Plain = { kind: 'ack' };
const NACK: Plain = { kind: 'nack' };
const junk = (bytes: number): Plain => ({ kind: 'junk', bytes });

const cases: Array<{ name: string; raw: Buffer; events: Plain[] }> = [
  { name: 'plain packet', raw: L('$OK#9a'), events: [pkt('OK')] },
  { name: 'empty packet', raw: L('$#00'), events: [pkt('')] },
  { name: 'uppercase checksum digits', raw: L('$qSupported#37$OK#9A'), events: [pkt('qSupported'), pkt('OK')] },
  { name: 'stop reply', raw: frame('T05thread:p01.01;'), events: [pkt('T05thread:p01.01;')] },
  { name: 'escapes', raw: frame('a}\x03b}\x04c}]d}\x0ae'), events: [pkt('a#b$c}d*e')] },
  { name: 'run-length', raw: frame('0* 1*!x*~'), events: [pkt('0000' + '11111' + 'x'.repeat(98))] },
  { name: 'run after an escape', raw: frame('}\x04\x04* '), events: [pkt('$\x04\x04\x04\x04')] },
  { name: 'ack then packet', raw: L('+$OK#9a'), events: [ACK, pkt('OK')] },
  { name: 'stray acks and nacks around', raw: L('+-+$OK#9a+-'), events: [ACK, NACK, ACK, pkt('OK'), ACK, NACK] },
  { name: 'junk before $', raw: L('xyz$OK#9a'), events: [junk(3), pkt('OK')] },
  { name: 'interrupt byte and newline are junk', raw: L('\x03\r\n+'), events: [junk(3), ACK] },
  { name: 'junk between packets', raw: L('$OK#9a\x00\xff$g#67'), events: [pkt('OK'), junk(2), pkt('g')] },
  { name: 'junk after the last packet', raw: L('$OK#9a..'), events: [pkt('OK'), junk(2)] },
  { name: 'notification', raw: Buffer.concat([L('%'), frame('Stop:T05').subarray(1)]), events: [pkt('Stop:T05', true)] },
  { name: 'notification then packet', raw: Buffer.concat([L('%'), frame('Stop:T05').subarray(1), frame('OK')]), events: [pkt('Stop:T05', true), pkt('OK')] },
  { name: 'bad checksum', raw: L('$OK#00'), events: [{ kind: 'bad-checksum', expected: 0x00, actual: 0x9a }] },
  { name: 'bad checksum then good packet', raw: L('$OK#9b$OK#9a'), events: [{ kind: 'bad-checksum', expected: 0x9b, actual: 0x9a }, pkt('OK')] },
  { name: 'non-hex checksum', raw: L('$OK#zz'), events: [{ kind: 'bad-checksum', expected: -1, actual: 0x9a }] },
  { name: 'half non-hex checksum', raw: L('$OK#9g+'), events: [{ kind: 'bad-checksum', expected: -1, actual: 0x9a }, ACK] },
  { name: 'trailing escape, good checksum', raw: frame('ab}'), events: [{ kind: 'malformed', reason: 'escape character at end of packet' }] },
  { name: 'leading *, good checksum', raw: frame('*!'), events: [{ kind: 'malformed', reason: 'run-length marker with no character before it' }] },
  { name: 'count out of range', raw: frame('a*\x1f'), events: [{ kind: 'malformed', reason: 'run-length count 2 out of range 3..97' }] },
  { name: 'malformed then good', raw: Buffer.concat([frame('a*'), frame('OK')]), events: [{ kind: 'malformed', reason: 'run-length marker at end of packet' }, pkt('OK')] },
  { name: '+ and - inside a packet are data', raw: frame('+-+'), events: [pkt('+-+')] },
  { name: '$ inside a packet is data', raw: frame('a$b'), events: [pkt('a$b')] },
  { name: 'qXfer reply with all 256 byte values', raw: frame(Buffer.concat([L('l'), escapeAll()])), events: [pkt('l' + allBytes().toString('latin1'))] },
];

function allBytes(): Buffer {
  return Buffer.from(Array.from({ length: 256 }, (_, i) => i));
}
function escapeAll(): Buffer {
  const out: number[] = [];
  for (const b of allBytes()) {
    if (b === 0x23 || b === 0x24 || b === 0x7d || b === 0x2a) out.push(0x7d, b ^ 0x20);
    else out.push(b);
  }
  return Buffer.from(out);
}

t.test('whole streams', async (t) => {
  for (const c of cases) t.same(normalise(feedChunks([c.raw])), c.events, c.name);
});

t.test('junk is reported per chunk, in order, without merging', async (t) => {
  t.same(feedChunks([L('ab'), L('c$OK#9a')]).map(plain), [junk(2), junk(1), pkt('OK')]);
  t.same(feedChunks([L('ab$O'), L('K#9a')]).map(plain), [junk(2), pkt('OK')]);
});

t.test('every case split at every byte boundary gives the same events', async (t) => {
  for (const c of cases) {
    let bad = 0;
    for (let i = 0; i <= c.raw.length; i++) {
      const got = normalise(feedChunks([c.raw.subarray(0, i), c.raw.subarray(i)]));
      if (JSON.stringify(got) !== JSON.stringify(c.events)) {
        if (bad++ === 0) t.same(got, c.events, `${c.name}: split at ${i}`);
      }
    }
    t.equal(bad, 0, `${c.name}: ${c.raw.length + 1} two-chunk splits`);
  }
});

t.test('every case split in three at every pair of boundaries', async (t) => {
  for (const c of cases) {
    if (c.raw.length > 80) continue; // the 256-byte case is covered by the other splits
    let bad = 0;
    for (let i = 0; i <= c.raw.length; i++) {
      for (let j = i; j <= c.raw.length; j++) {
        const got = normalise(feedChunks([c.raw.subarray(0, i), c.raw.subarray(i, j), c.raw.subarray(j)]));
        if (JSON.stringify(got) !== JSON.stringify(c.events)) {
          if (bad++ === 0) t.same(got, c.events, `${c.name}: split at ${i},${j}`);
        }
      }
    }
    t.equal(bad, 0, `${c.name}: three-chunk splits`);
  }
});

t.test('every case fed one byte at a time', async (t) => {
  for (const c of cases) {
    const chunks = Array.from(c.raw, (b) => Uint8Array.of(b));
    t.same(normalise(feedChunks(chunks)), c.events, c.name);
  }
});

t.test('all cases back to back, one stream, split everywhere', async (t) => {
  const raw = Buffer.concat(cases.map((c) => c.raw));
  const expected = mergeJunk(cases.flatMap((c) => c.events));
  t.same(normalise(feedChunks([raw])), expected, 'whole');
  let bad = 0;
  for (let i = 0; i <= raw.length; i++) {
    if (JSON.stringify(normalise(feedChunks([raw.subarray(0, i), raw.subarray(i)]))) !== JSON.stringify(expected)) bad++;
  }
  t.equal(bad, 0, `${raw.length + 1} splits`);
  t.same(normalise(feedChunks(Array.from(raw, (b) => Uint8Array.of(b)))), expected, 'one byte at a time');
});

t.test('midPacket is true only between $ and the last checksum digit', async (t) => {
  const r = new RspReader();
  const seen: boolean[] = [];
  for (const b of L('+$OK#9a')) {
    r.feed(Uint8Array.of(b));
    seen.push(r.midPacket);
  }
  t.same(seen, [false, true, true, true, true, true, false]);
});

t.test('a packet longer than MAX_PACKET_BYTES is malformed and the stream goes on', async (t) => {
  const body = Buffer.alloc(MAX_PACKET_BYTES + 10, 0x61);
  const raw = Buffer.concat([L('+$'), body, L('#00'), frame('OK')]);
  const expected: Plain[] = [ACK, { kind: 'malformed', reason: `packet longer than ${MAX_PACKET_BYTES} bytes` }, pkt('OK')];
  t.same(normalise(feedChunks([raw])), expected, 'whole');
  // Splitting at each of the ~1M boundaries would be quadratic: take every boundary near the
  // start, around the limit and at the end, and a stride through the rest.
  const points = new Set<number>();
  for (let i = 0; i < 16; i++) {
    points.add(i);
    points.add(raw.length - i);
    points.add(2 + MAX_PACKET_BYTES - 8 + i);
  }
  for (let i = 0; i < raw.length; i += 131_071) points.add(i);
  let bad = 0;
  for (const i of points) {
    if (JSON.stringify(normalise(feedChunks([raw.subarray(0, i), raw.subarray(i)]))) !== JSON.stringify(expected)) bad++;
  }
  t.equal(bad, 0, `${points.size} splits`);
  const r = new RspReader();
  const events: ReaderEvent[] = [];
  for (let i = 0; i < raw.length; i++) events.push(...r.feed(raw.subarray(i, i + 1)));
  t.same(normalise(events), expected, 'one byte at a time');
});

t.test('a packet of exactly MAX_PACKET_BYTES is accepted', async (t) => {
  const body = Buffer.alloc(MAX_PACKET_BYTES, 0x30);
  const events = feedChunks([frame(body)]);
  t.equal(events.length, 1);
  const ev = events[0]!;
  t.equal(ev.kind, 'packet');
  if (ev.kind === 'packet') t.equal(ev.payload.length, MAX_PACKET_BYTES);
});
