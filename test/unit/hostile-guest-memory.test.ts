/**
 * Hostile guest, memory side (issue 8, item 3): StubMemory (src/trace/guest-memory.ts)
 * reading through GdbClient from the fake stub. Absurd lengths never ask the stub for more
 * than MAX_READ bytes; megabytes with no NUL end at the limit; unmapped pages, an address
 * that wraps past 2^64, replies shorter or longer than asked and garbage replies give a
 * shorter result or null, never a throw or more than was asked for.
 */
import t, { type Test } from 'tap';
import { MAX_READ, StubMemory } from '../../src/trace/guest-memory.js';
import { startWithClient } from '../fakes/fake-stub.js';
import { assertFuzz, runFuzz } from '../fuzz/harness.js';
import { Prng } from '../fuzz/prng.js';
import { StubGuest } from '../fuzz/stub-guest.js';

const MB = 1 << 20;
const ENDLESS = 0x10_0000n; // 4 MiB of 0xff: no NUL, not UTF-8
const SHORT = 0x80_0000n; // "hi\0"
const EDGE = 0x90_0000n; // one page of 'a', then nothing mapped
const TOP = 2n ** 64n - 0x1000n; // the last page of the address space, no NUL

async function setup(t: Test): Promise<{ guest: StubGuest; mem: StubMemory }> {
  const guest = new StubGuest(new Prng(8))
    .add(ENDLESS, 4 * MB, () => 0xff)
    .add(SHORT, 3, (i) => [0x68, 0x69, 0][i]!)
    .add(EDGE, 0x1000, () => 0x61)
    .add(TOP, 0x1000, () => 0x7a);
  const { client, close } = await startWithClient(guest.handler(), { timeoutMs: 5000 });
  t.teardown(close);
  await client.qSupported();
  return { guest, mem: new StubMemory(client) };
}

const LENGTHS = [0, 1, 0x800, MAX_READ - 1, MAX_READ, MAX_READ + 1, 2 ** 31, 2 ** 32, 2 ** 53, Number(2n ** 63n), Number(2n ** 64n - 1n), Number.MAX_VALUE, Infinity, NaN, -1, -Infinity, 0.5, 4096.5];

t.test('read: absurd lengths ask for at most MAX_READ bytes', async (t) => {
  const { guest, mem } = await setup(t);
  for (const len of LENGTHS) {
    guest.reset();
    const b = await mem.read(ENDLESS, len);
    const want = Number.isFinite(len) || len === Infinity ? Math.max(0, Math.min(Math.floor(len), MAX_READ)) : 0;
    t.ok(guest.requested <= MAX_READ, `read(len ${len}): asked the stub for ${guest.requested} bytes in ${guest.packets} packets`);
    t.ok(b === null || b.length <= Math.max(0, Math.min(len, MAX_READ)), `read(len ${len}): gave ${b?.length} bytes`);
    if (Number.isInteger(len) || len === Infinity) t.equal(b?.length ?? 0, want, `read(len ${len}): ${want} bytes of an endless region`);
  }
});

t.test('readString: megabytes without a NUL end at min(max, MAX_READ), unterminated', async (t) => {
  const { guest, mem } = await setup(t);
  for (const max of LENGTHS) {
    guest.reset();
    const s = await mem.readString(ENDLESS, max);
    t.ok(guest.requested <= MAX_READ + 1, `readString(max ${max}): asked for ${guest.requested} bytes in ${guest.packets} packets`);
    const limit = Math.min(max, MAX_READ);
    if (s) {
      t.ok(s.bytes.length <= Math.max(0, limit), `readString(max ${max}): ${s.bytes.length} bytes`);
      t.equal(s.terminated, false, `readString(max ${max}): unterminated`);
      t.ok(s.bytes.every((b) => b === 0xff), 'the bytes as they are');
    }
    if (Number.isInteger(max) && max > 0) t.equal(s?.bytes.length, limit, `readString(max ${max}): ${limit} bytes`);
  }
  t.same(await mem.readString(SHORT, 4096), { bytes: Buffer.from('hi'), terminated: true }, 'a short string');
});

t.test('unmapped pages, page edges and the top of the address space', async (t) => {
  const { guest, mem } = await setup(t);
  t.equal(await mem.read(0x1000n, 16), null, 'unmapped');
  t.equal(await mem.readString(0x1000n, 16), null, 'unmapped string');
  t.equal(await mem.read(0n, MAX_READ), null, 'NULL');
  // A string that runs into an unmapped page is what could be read, unterminated.
  const edge = await mem.readString(EDGE + 0xff0n, 4096);
  t.same(edge, { bytes: Buffer.alloc(16, 0x61), terminated: false });
  t.equal((await mem.read(EDGE + 0xff0n, 4096))?.length, 16, 'a read cut at the unmapped page');
  // Past 2^64 the address wraps to 0 (unmapped): what lies below the top is still read.
  guest.reset();
  t.equal((await mem.read(2n ** 64n - 16n, 64))?.length, 16, 'read across 2^64');
  const top = await mem.readString(2n ** 64n - 16n, 64);
  t.same(top, { bytes: Buffer.alloc(16, 0x7a), terminated: false }, 'string across 2^64');
  t.ok(guest.requested <= 2 * (64 + 1), `asked for ${guest.requested} bytes`);
  // Addresses beyond 64 bits (a register wider than the stub said) wrap the same way.
  t.equal((await mem.read(2n ** 64n + SHORT, 2))?.toString(), 'hi', 'a 65-bit address');
});

t.test('hostile replies: shorter, longer, garbage, changing', async (t) => {
  const { guest, mem } = await setup(t);
  for (const mode of ['short', 'long', 'garbage', 'changing'] as const) {
    guest.mode = mode;
    for (const [addr, len] of [[ENDLESS, 100], [ENDLESS, 0x1800], [SHORT, 3], [EDGE + 0xff0n, 64], [0x1000n, 16]] as const) {
      guest.reset();
      const b = await mem.read(addr, len);
      t.ok(b === null || b.length <= len, `${mode} read(${addr.toString(16)}, ${len}): ${b?.length ?? 'null'} bytes, no more than asked`);
      const s = await mem.readString(addr, len);
      t.ok(s === null || s.bytes.length <= len, `${mode} readString(${addr.toString(16)}, ${len}): ${s?.bytes.length ?? 'null'} bytes`);
      t.ok(guest.requested <= 4 * len + 4096, `${mode}: asked for ${guest.requested} bytes in ${guest.packets} packets`);
    }
  }
});

t.test('decoders through StubMemory and the fake stub (2,000 calls)', async (t) => {
  const r = await runFuzz({
    name: 'hostile-stub-decode',
    target: new URL('../fuzz/targets/stub-decode.js', import.meta.url),
    seed: 0x5eed_0006,
    count: 2_000,
    workers: 2,
    hangMs: 20_000,
    budgetMs: 90_000,
  });
  assertFuzz(t, r);
});
