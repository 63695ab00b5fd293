/**
 * Fuzzing the RSP reader and decodePayload (issue 8, item 4): a fixed seed, 100,000 hostile
 * streams (see test/fuzz/targets/rsp-reader.ts for the invariants), split over both cores.
 */
import t from 'tap';
import { decodePayload, frame } from '../../src/gdbstub/framing.js';
import { MAX_PACKET_BYTES, RspReader } from '../../src/gdbstub/reader.js';
import { assertFuzz, runFuzz } from '../fuzz/harness.js';

t.test('rsp-reader fuzz', async (t) => {
  const r = await runFuzz({
    name: 'rsp-reader',
    target: new URL('../fuzz/targets/rsp-reader.js', import.meta.url),
    seed: 0x5eed_0001,
    count: 100_000,
    workers: 2,
    hangMs: 10_000,
    budgetMs: 90_000,
  });
  assertFuzz(t, r);
});

// Found by the fuzzer: `a*~` repeated decodes 97 bytes per 2 raw bytes, so a 1 MiB body could
// expand to ~48 MiB (as a JS number array, ~400 MB) before anyone checked its size.
t.test('a run-length bomb is malformed, not a payload beyond MAX_PACKET_BYTES', async (t) => {
  const runs = Math.floor(MAX_PACKET_BYTES / 97) + 1;
  const body = Buffer.concat([Buffer.from('a'), Buffer.alloc(runs * 2, '*~', 'latin1')]);
  const events = new RspReader().feed(frame(body));
  t.same(events, [{ kind: 'malformed', reason: `packet longer than ${MAX_PACKET_BYTES} bytes once run-length decoded` }]);
  const fits = Buffer.concat([Buffer.from('a'), Buffer.alloc((runs - 1) * 2, '*~', 'latin1')]);
  const ok = new RspReader().feed(frame(fits));
  t.equal(ok[0]?.kind, 'packet');
  t.equal(ok[0]?.kind === 'packet' ? ok[0].payload.length : -1, 1 + (runs - 1) * 97);
  t.same(decodePayload(Buffer.from('ab*~'), 50), { ok: false, reason: 'packet longer than 50 bytes once run-length decoded' });
  t.same(decodePayload(Buffer.from('a'.repeat(51)), 50), { ok: false, reason: 'packet longer than 50 bytes once run-length decoded' });
});
