/**
 * Fuzzing the RSP connection and the typed commands (issue 8, item 4) against the fake stub
 * answering at random (test/fuzz/targets/rsp-connection.ts): a fixed seed and 2,000 inputs
 * (each a fresh stub and socket, so fewer than the parsers' 100,000), eight workers since the
 * time goes to timers and sockets, not the CPU.
 */
import t from 'tap';
import { startWithClient } from '../fakes/fake-stub.js';
import { assertFuzz, runFuzz } from '../fuzz/harness.js';

t.test('rsp-connection fuzz', async (t) => {
  const r = await runFuzz({
    name: 'rsp-connection',
    target: new URL('../fuzz/targets/rsp-connection.js', import.meta.url),
    seed: 0x5eed_0002,
    count: 2_000,
    workers: 8,
    hangMs: 20_000,
    budgetMs: 90_000,
  });
  assertFuzz(t, r);
});

// Found by the fuzzer: a `g` or `p` reply that is not hex threw a plain Error from fromHex.
t.test('g and p replies that are not hex are RSP_PROTOCOL errors', async (t) => {
  let reply = 'PacketSize=1000';
  const { client, close } = await startWithClient(() => reply);
  t.teardown(close);
  for (const bad of ['l', 'abc', 'zz', 'PacketSize=1000;qXfer:features:read+', '0000000g']) {
    reply = bad;
    await t.rejects(client.readAllRegisters(), { name: 'RspError', code: 'RSP_PROTOCOL' }, `g: ${bad}`);
    await t.rejects(client.readRegisterRaw(3), { name: 'RspError', code: 'RSP_PROTOCOL' }, `p: ${bad}`);
  }
  reply = '0100xxxx';
  t.same([...(await client.readAllRegisters())], [1, 0, 0, 0], 'xx (unavailable) still reads as 0');
});
