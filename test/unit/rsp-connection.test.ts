/**
 * The RSP connection's failure paths against the fake stub: error and empty replies,
 * timeouts, checksum errors both ways (GDB manual, "Packet Acknowledgment"), a stub that
 * goes away, stop replies that arrive before anyone waits, and where `parseTarget` connects.
 */
import t, { type Test } from 'tap';
import type { GdbClient } from '../../src/gdbstub/client.js';
import { RspConnection, parseTarget, type ConnectionOptions } from '../../src/gdbstub/connection.js';
import { isRspError } from '../../src/gdbstub/errors.js';
import { parseStopReply } from '../../src/gdbstub/stop-reply.js';
import { sleep, startWithClient, type FakeStub, type StubHandler } from '../fakes/fake-stub.js';

async function setup(t: Test, handler: StubHandler, opts: ConnectionOptions = {}): Promise<{ stub: FakeStub; client: GdbClient }> {
  const { stub, client, close } = await startWithClient(handler, opts);
  t.teardown(close);
  return { stub, client };
}

t.test('E01 is RSP_ERROR_REPLY, an empty reply RSP_UNSUPPORTED', async (t) => {
  const { stub, client } = await setup(t, (p) => (p === 'g' ? 'E01' : p === 'D' ? 'E.not attached' : ''));
  await t.rejects(client.readAllRegisters(), { code: 'RSP_ERROR_REPLY', message: "'g' failed: E01" });
  await t.rejects(client.detach(), { code: 'RSP_ERROR_REPLY', message: "'D' failed: E.not attached" });
  await t.rejects(client.writeMemory(0x1000n, Uint8Array.of(1, 2)), { code: 'RSP_UNSUPPORTED' });
  t.same(stub.packets, ['g', 'D', 'M1000,2:0102']);
});

t.test('D detaches', async (t) => {
  const { stub, client } = await setup(t, (p) => (p === 'D' ? 'OK' : ''));
  await client.detach();
  await stub.quiet();
  t.same(stub.packets, ['D']);
  t.equal(stub.raw().toString('latin1'), '$D#44+');
});

t.test('a reply that never comes is RSP_TIMEOUT', async (t) => {
  const { stub, client } = await setup(t, (p) => (p === 'g' ? null : 'OK'), { timeoutMs: 120 });
  const start = Date.now();
  await t.rejects(client.readAllRegisters(), { code: 'RSP_TIMEOUT' });
  t.ok(Date.now() - start >= 100, `waited ${Date.now() - start} ms`);
  t.same(stub.packets, ['g']);
  // A late reply would answer the next request: the connection is given up instead.
  t.ok(client.conn.closed, 'the connection is abandoned after a missed deadline');
  await t.rejects(client.detach(), { code: 'RSP_TIMEOUT' });
  t.same(stub.packets, ['g'], 'nothing more is sent');
});

t.test('no ack at all is RSP_TIMEOUT', async (t) => {
  const { stub, client } = await setup(t, () => 'OK', { timeoutMs: 100 });
  stub.deaf = true;
  await t.rejects(client.detach(), { code: 'RSP_TIMEOUT', message: /no acknowledgement for 'D'/ });
});

t.test('a bad checksum from the stub: the client sends - and takes the resent packet', async (t) => {
  const { stub, client } = await setup(t, (p) => (p === 'g' ? '0011' : 'OK'));
  const warnings: string[] = [];
  client.conn.on('protocol-warning', (w: string) => warnings.push(w));
  stub.corruptNext = 1;
  t.equal((await client.readAllRegisters()).toString('hex'), '0011');
  await stub.quiet();
  t.equal(stub.raw().toString('latin1'), '$g#67-+');
  t.same(stub.events.map((e) => e.kind), ['packet', 'nack', 'ack']);
  t.match(warnings, [/bad checksum from stub/]);
});

t.test('bad checksum and stray bytes with 1-byte writes and a delay', async (t) => {
  const { stub, client } = await setup(t, (p) => (p.startsWith('qSupported') ? 'PacketSize=1000;qXfer:features:read+' : 'OK'));
  const warnings: string[] = [];
  client.conn.on('protocol-warning', (w: string) => warnings.push(w));
  stub.splitWrites = true;
  stub.delayMs = 30;
  stub.corruptNext = 1;
  stub.strayBefore = Buffer.from('\r\nnoise');
  await client.qSupported();
  t.equal(client.packetSize, 0x1000);
  await stub.quiet();
  t.equal(stub.raw().toString('latin1').slice(-2), '-+');
  t.ok(warnings.some((w) => /stray byte/.test(w)));
});

t.test('the stub nacks our packet twice: resent, then answered', async (t) => {
  const { stub, client } = await setup(t, (p) => (p === 'D' ? 'OK' : ''));
  stub.nackNext = 2;
  await client.detach();
  await stub.quiet();
  t.same(stub.packets, ['D', 'D', 'D']);
  t.same(stub.handled, ['D']);
  t.equal(stub.raw().toString('latin1'), '$D#44$D#44$D#44+');
});

t.test('a stub that nacks forever: RSP_NACK after maxRetransmits', async (t) => {
  const { stub, client } = await setup(t, () => 'OK');
  stub.nackNext = Infinity;
  await t.rejects(client.detach(), { code: 'RSP_NACK', message: 'the stub rejected a packet 6 times' });
  t.same(stub.packets, Array(6).fill('D'), 'sent once and retransmitted 5 times');
  t.same(stub.handled, []);

  const other = await setup(t, () => 'OK', { maxRetransmits: 1 });
  other.stub.nackNext = Infinity;
  await t.rejects(other.client.detach(), { code: 'RSP_NACK' });
  t.same(other.stub.packets, ['D', 'D']);
});

t.test('the stub closing mid-request: RSP_DISCONNECTED, now and later', async (t) => {
  const { stub, client } = await setup(t, (p, s) => {
    if (p === 'g') s.dropClient();
    return p === 'g' ? null : 'OK';
  });
  const closed = new Promise((resolve) => client.conn.once('close', resolve));
  await t.rejects(client.readAllRegisters(), { code: 'RSP_DISCONNECTED' });
  t.ok(isRspError(await closed, 'RSP_DISCONNECTED'), "'close' event carries the error");
  t.ok(client.conn.closed);
  await t.rejects(client.detach(), { code: 'RSP_DISCONNECTED' });
  await t.rejects(client.waitStop(), { code: 'RSP_DISCONNECTED' });
  t.same(stub.packets, ['g']);
});

t.test('the stub closing while the guest runs fails waitStop', async (t) => {
  const { stub, client } = await setup(t, () => null);
  await client.continue();
  const stop = client.waitStop();
  stub.dropClient();
  await t.rejects(stop, { code: 'RSP_DISCONNECTED' });
});

t.test('W and X stop replies', async (t) => {
  const { stub, client } = await setup(t, () => null);
  const cases: Array<[string, unknown]> = [
    ['W00', { kind: 'exited', status: 0 }],
    ['X09', { kind: 'terminated', signal: 9 }],
    ['W01;process:2a', { kind: 'exited', status: 1, pid: '2a' }],
    ['S05', { kind: 'signal', signal: 5, info: new Map() }],
  ];
  for (const [payload, expected] of cases) {
    await client.continue();
    stub.send(payload);
    t.same(await client.waitStop(), expected, payload);
  }
  stub.send('QC1');
  await t.rejects(client.waitStop(), { code: 'RSP_PROTOCOL' }, 'not a stop reply');
  t.equal(parseStopReply('Tzz'), null);
  t.equal(parseStopReply(''), null);
  t.same(parseStopReply('T05thread:p01.02;swbreak:;'), { kind: 'signal', signal: 5, thread: 'p01.02', info: new Map([['thread', 'p01.02'], ['swbreak', '']]) });
});

t.test('a stop that arrives before anyone waits goes to the next waitStop, not to a request', async (t) => {
  const { stub, client } = await setup(t, (p) => (p === 'g' ? '0102' : p === 'm1000,1' ? 'aa' : null));
  await client.continue();
  client.interrupt();
  await stub.waitForBytes(stub.mark() + 1);
  stub.send('T02thread:01;');
  await stub.waitForBytes(stub.raw().length + 1); // the client's ack of the stop
  t.equal((await client.readAllRegisters()).toString('hex'), '0102', 'g gets its own reply');
  t.equal((await client.readMemory(0x1000n, 1)).toString('hex'), 'aa');
  t.same(await client.waitStop(100), { kind: 'signal', signal: 2, thread: '01', info: new Map([['thread', '01']]) });
  await t.rejects(client.waitStop(60), { code: 'RSP_TIMEOUT' }, 'delivered once');
});

t.test('a stop that races a request is kept for waitStop', async (t) => {
  const { stub, client } = await setup(t, (p) => (p === 'g' ? ['T02thread:01;', '0304'] : null));
  t.equal((await client.readAllRegisters()).toString('hex'), '0304');
  t.equal((await client.waitStop(100)).kind, 'signal');
  t.same(stub.packets, ['g']);
});

t.test('? after an early stop answers with its own reply and leaves no stale stop', async (t) => {
  const { stub, client } = await setup(t, (p) => (p === '?' ? 'T02thread:01;' : null));
  await client.continue();
  client.interrupt();
  stub.send('T02thread:01;');
  await stub.waitForBytes(stub.mark() + 2);
  t.equal((await client.haltReason()).kind, 'signal');
  await sleep(20);
  await client.continue();
  await t.rejects(client.waitStop(100), { code: 'RSP_TIMEOUT' }, 'the guest is running: no stop yet');
  t.same(stub.packets, ['c', '?', 'c']);
});

t.test('parseTarget', async (t) => {
  const cases: Array<[string, object]> = [
    ['localhost:1234', { host: 'localhost', port: 1234 }],
    ['10.0.2.2:65535', { host: '10.0.2.2', port: 65535 }],
    [':1234', { host: '127.0.0.1', port: 1234 }],
    ['1234', { host: '127.0.0.1', port: 1234 }],
    ['[::1]:1234', { host: '::1', port: 1234 }],
    ['/tmp/x.sock', { path: '/tmp/x.sock' }],
    ['unix:/path', { path: '/path' }],
    ['unix:/tmp/qemu-gdb.1234', { path: '/tmp/qemu-gdb.1234' }],
    ['gdb.sock', { path: 'gdb.sock' }],
  ];
  for (const [target, expected] of cases) t.same(parseTarget(target), expected, target);
  for (const bad of ['localhost', 'host:0', 'host:70000', 'host:123456', '', 'host:port']) {
    t.throws(() => parseTarget(bad), { code: 'RSP_CONNECT' }, JSON.stringify(bad));
  }
});

t.test('connecting to nothing is RSP_CONNECT', async (t) => {
  await t.rejects(RspConnection.connect('unix:/nonexistent/systrace.sock', { timeoutMs: 500 }), { code: 'RSP_CONNECT', message: /no such socket/ });
});
