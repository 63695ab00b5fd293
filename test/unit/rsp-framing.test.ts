/**
 * Pure RSP framing (GDB manual, "Overview" of the Remote Protocol): checksums, `}` escapes,
 * run-length encoding, and the one-pass decoder. Tables of `{raw, payload}` cases as in
 * LLDB's GDBRemoteCommunication tests.
 */
import t, { type Test } from 'tap';
import { checksum, decodePayload, escapeBinary, frame, runLengthEncode } from '../../src/gdbstub/framing.js';

const L = (s: string): Buffer => Buffer.from(s, 'latin1');
const S = (b: Uint8Array): string => Buffer.from(b).toString('latin1');

t.test('checksum is the modulo-256 sum', async (t) => {
  const cases: Array<[string, number]> = [
    ['', 0x00],
    ['OK', 0x9a],
    ['g', 0x67],
    ['qSupported', 0x37],
    ['\xff\x01', 0x00],
    ['\xff\xff\xff', 0xfd],
  ];
  for (const [s, cs] of cases) t.equal(checksum(L(s)), cs, JSON.stringify(s));
});

t.test('frame builds $payload#cs with two lowercase hex digits', async (t) => {
  const cases: Array<[string | Uint8Array, string]> = [
    ['', '$#00'],
    ['OK', '$OK#9a'],
    ['g', '$g#67'],
    ['m1000,4', '$m1000,4#8e'],
    ['qSupported', '$qSupported#37'],
    ['\x01', '$\x01#01'],
    [Uint8Array.of(0x7d, 0x03), '$}\x03#80'],
  ];
  for (const [payload, raw] of cases) t.equal(S(frame(payload)), raw, JSON.stringify(raw));
});

t.test('escapeBinary escapes exactly # $ } * by XOR 0x20', async (t) => {
  const cases: Array<{ data: string; raw: string }> = [
    { data: '', raw: '' },
    { data: 'abc', raw: 'abc' },
    { data: '#', raw: '}\x03' },
    { data: '$', raw: '}\x04' },
    { data: '}', raw: '}]' },
    { data: '*', raw: '}\x0a' },
    { data: '\x00\xff+-\x03', raw: '\x00\xff+-\x03' },
    { data: 'a#b$c}d*e', raw: 'a}\x03b}\x04c}]d}\x0ae' },
  ];
  for (const { data, raw } of cases) t.equal(S(escapeBinary(L(data))), raw, JSON.stringify(data));
  const every = Uint8Array.from({ length: 256 }, (_, i) => i);
  const escaped = escapeBinary(every);
  t.equal(escaped.length, 256 + 4, 'four bytes escaped out of 256');
  for (const b of [0x23, 0x24, 0x2a]) t.notOk(escaped.includes(b), `no raw 0x${b.toString(16)}`);
});

t.test('decodePayload: {raw, payload} table', async (t) => {
  const cases: Array<{ raw: string; payload: string; why: string }> = [
    { raw: '', payload: '', why: 'empty' },
    { raw: 'OK', payload: 'OK', why: 'plain' },
    { raw: 'T05thread:p01.01;', payload: 'T05thread:p01.01;', why: 'stop reply' },
    { raw: '}\x03', payload: '#', why: 'escaped #' },
    { raw: '}\x04', payload: '$', why: 'escaped $' },
    { raw: '}]', payload: '}', why: 'escaped }' },
    { raw: '}\x0a', payload: '*', why: 'escaped *' },
    { raw: 'a}\x03b}]c', payload: 'a#b}c', why: 'escapes between text' },
    { raw: '0* ', payload: '0000', why: 'count 3 (space)' },
    { raw: '0*!', payload: '00000', why: 'count 4' },
    { raw: '0*"', payload: '0'.repeat(6), why: 'count 5' },
    { raw: '0*%', payload: '0'.repeat(9), why: 'count 8 (after the skipped # and $)' },
    { raw: 'x*~', payload: 'x'.repeat(98), why: 'count 97, the largest' },
    { raw: 'x*~x*~', payload: 'x'.repeat(196), why: 'two runs of the same character' },
    { raw: '0* 0* ', payload: '0'.repeat(8), why: 'run, literal, run' },
    { raw: '12*!3', payload: '122222' + '3', why: 'run inside text' },
    { raw: 'ff*"00* ', payload: 'f'.repeat(7) + '0'.repeat(5), why: 'a register dump' },
    // GDB's read_frame repeats the raw byte before `*` and undoes escapes afterwards, so a
    // run after an escape repeats the escaped byte, not the character it stands for.
    { raw: '}]*!', payload: '}]]]]', why: 'run of ] after escaped }' },
    { raw: '}\x03\x03* ', payload: '#\x03\x03\x03\x03', why: 'run of 0x03 after escaped #' },
    { raw: '}\x03* ', payload: '#\x03\x03\x03', why: 'run right after an escape' },
  ];
  for (const { raw, payload, why } of cases) {
    const r = decodePayload(L(raw));
    t.ok(r.ok, why);
    if (r.ok) t.equal(S(r.payload), payload, why);
  }
});

t.test('decodePayload rejects malformed bodies with a reason', async (t) => {
  const cases: Array<{ raw: string; reason: string }> = [
    { raw: '}', reason: 'escape character at end of packet' },
    { raw: 'abc}', reason: 'escape character at end of packet' },
    { raw: '*!', reason: 'run-length marker with no character before it' },
    { raw: '*', reason: 'run-length marker with no character before it' },
    { raw: 'a*', reason: 'run-length marker at end of packet' },
    { raw: 'a*\x1f', reason: 'run-length count 2 out of range 3..97' },
    { raw: 'a*\x1d', reason: 'run-length count 0 out of range 3..97' },
    { raw: 'a*\x00', reason: 'run-length count -29 out of range 3..97' },
    { raw: 'a*\x7f', reason: 'run-length count 98 out of range 3..97' },
    { raw: 'a*\xff', reason: 'run-length count 226 out of range 3..97' },
  ];
  for (const { raw, reason } of cases) {
    t.same(decodePayload(L(raw)), { ok: false, reason }, JSON.stringify(raw));
  }
});

t.test('runLengthEncode: {payload, raw} table', async (t) => {
  const cases: Array<{ payload: string; raw: string }> = [
    { payload: '', raw: '' },
    { payload: 'abc', raw: 'abc' },
    { payload: '000', raw: '000' },
    { payload: '0000', raw: '0* ' },
    { payload: '00000', raw: '0*!' },
    { payload: '0'.repeat(6), raw: '0*"' },
    // 7 and 8 would need counts '#' and '$': shortened to '"' and the rest sent plainly.
    { payload: '0'.repeat(7), raw: '0*"0' },
    { payload: '0'.repeat(8), raw: '0*"00' },
    { payload: '0'.repeat(9), raw: '0*%' },
    { payload: '0'.repeat(98), raw: '0*~' },
    { payload: '0'.repeat(99), raw: '0*~0' },
    { payload: '0'.repeat(102), raw: '0*~0* ' },
    { payload: '0'.repeat(200), raw: '0*~0*~0* ' },
    { payload: 'a0000b', raw: 'a0* b' },
    { payload: '00001111', raw: '0* 1* ' },
  ];
  for (const { payload, raw } of cases) t.equal(runLengthEncode(payload), raw, `${payload.length} chars: ${payload.slice(0, 12)}`);
});

/** Deterministic PRNG (mulberry32) so failures reproduce. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = Math.imul(a ^ (a >>> 15), 1 | a);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

/** Encodes as a stub would (escape, then run-length) and decodes; checks the wire form too. */
function roundTrip(t: Test, data: Buffer, what: string): void {
  const wire = runLengthEncode(S(escapeBinary(data)));
  const raw = L(wire);
  for (const b of [0x23, 0x24]) {
    if (raw.includes(b)) t.fail(`${what}: raw 0x${b.toString(16)} on the wire`);
  }
  const r = decodePayload(raw);
  if (!r.ok) {
    t.fail(`${what}: ${r.reason}`);
    return;
  }
  if (!r.payload.equals(data)) t.fail(`${what}: decoded ${r.payload.toString('hex')} != ${data.toString('hex')}`);
}

t.test('escape + RLE round-trips: runs of 1..200 of every awkward character', async (t) => {
  let n = 0;
  for (const c of ['0', 'a', '~', ' ', '#', '$', '}', '*', '+', '-', '\x00', '\x03', '\x04', '\x0a', ']', '\xff']) {
    for (let len = 1; len <= 200; len++) {
      roundTrip(t, L(c.repeat(len)), `${len} x 0x${c.charCodeAt(0).toString(16)}`);
      roundTrip(t, L('x' + c.repeat(len) + 'y'), `x + ${len} x 0x${c.charCodeAt(0).toString(16)} + y`);
      n += 2;
    }
  }
  t.equal(n, 16 * 200 * 2);
  // The wire form of a long run is short: 200 zeros take 3 runs.
  t.ok(runLengthEncode('0'.repeat(200)).length <= 9);
});

t.test('escape + RLE round-trips: random binary made of runs', async (t) => {
  const rnd = prng(0x5eed);
  const alphabet = [0x00, 0x03, 0x04, 0x0a, 0x23, 0x24, 0x2a, 0x30, 0x5d, 0x7d, 0x7e, 0xff];
  for (let i = 0; i < 2000; i++) {
    const parts: number[] = [];
    const runs = 1 + Math.floor(rnd() * 8);
    for (let r = 0; r < runs; r++) {
      const b = rnd() < 0.8 ? alphabet[Math.floor(rnd() * alphabet.length)]! : Math.floor(rnd() * 256);
      const len = rnd() < 0.5 ? 1 + Math.floor(rnd() * 10) : 1 + Math.floor(rnd() * 200);
      for (let k = 0; k < len; k++) parts.push(b);
    }
    roundTrip(t, Buffer.from(parts), `case ${i}`);
  }
  // Every byte value next to every byte value, a run of four each.
  for (let a = 0; a < 256; a++) {
    roundTrip(t, Buffer.from([a, a, a, a, a, (a + 1) & 0xff, (a + 1) & 0xff, (a + 1) & 0xff, (a + 1) & 0xff]), `pair ${a}`);
  }
  t.pass('round trips done');
});
