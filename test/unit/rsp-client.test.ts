/**
 * The typed RSP commands (GDB manual, "Packets", "General Query Packets", "Stop Reply
 * Packets") against a fake stub that answers as QEMU 7.2 does (../../shared/DESIGN.md,
 * "The stub we talk to"). Failure paths of the connection are in rsp-connection.test.ts.
 */
import t, { type Test } from 'tap';
import type { GdbClient } from '../../src/gdbstub/client.js';
import type { ConnectionOptions } from '../../src/gdbstub/connection.js';
import { escapeBinary } from '../../src/gdbstub/framing.js';
import { FakeStub, sleep, startWithClient, type StubHandler, type StubReply } from '../fakes/fake-stub.js';

async function setup(t: Test, handler: StubHandler, opts: ConnectionOptions = {}): Promise<{ stub: FakeStub; client: GdbClient }> {
  const { stub, client, close } = await startWithClient(handler, opts);
  t.teardown(close);
  return { stub, client };
}

const hex = (s: string): string => Buffer.from(s, 'latin1').toString('hex');
const QEMU_SUPPORTED = 'PacketSize=1000;qXfer:features:read+;vContSupported+;multiprocess+';

t.test('qSupported: features, PacketSize, three-state capabilities', async (t) => {
  const { stub, client } = await setup(t, (p) => (p.startsWith('qSupported') ? QEMU_SUPPORTED + ';QStartNoAckMode-;foo=bar=baz' : ''));
  t.equal(client.capability('qXfer:features:read'), 'unknown', 'before asking');
  const features = await client.qSupported();
  t.same(stub.packets, ['qSupported:xmlRegisters=i386;vContSupported+;swbreak+;hwbreak+']);
  t.same(Object.fromEntries(features), {
    PacketSize: '1000',
    'qXfer:features:read': true,
    vContSupported: true,
    multiprocess: true,
    QStartNoAckMode: false,
    foo: 'bar=baz',
  });
  t.equal(client.packetSize, 0x1000);
  t.equal(client.maxMemoryChunk, 0x800, 'QEMU: m reads 0x800 bytes, 0x1000 hex digits');
  t.equal(client.capability('qXfer:features:read'), 'yes');
  t.equal(client.capability('QStartNoAckMode'), 'no');
  t.equal(client.capability('QNonStop'), 'no', 'absent once asked');
});

t.test('maxMemoryChunk is clamped by PacketSize', async (t) => {
  const cases: Array<{ reply: string; packetSize: number; chunk: number }> = [
    { reply: 'PacketSize=100', packetSize: 0x100, chunk: 0x80 },
    { reply: 'PacketSize=ff', packetSize: 0xff, chunk: 0x7f },
    { reply: 'PacketSize=10', packetSize: 0x10, chunk: 16 },
    { reply: 'PacketSize=20000', packetSize: 0x20000, chunk: 0x800 },
    { reply: 'PacketSize=zz', packetSize: 0x400, chunk: 0x200 },
    { reply: 'multiprocess+', packetSize: 0x400, chunk: 0x200 },
  ];
  let reply = '';
  const { client } = await setup(t, () => reply);
  for (const c of cases) {
    reply = c.reply;
    client.packetSize = 0x400;
    await client.qSupported();
    t.equal(client.packetSize, c.packetSize, `${c.reply}: packet size`);
    t.equal(client.maxMemoryChunk, c.chunk, `${c.reply}: memory chunk`);
  }
});

/** Serves qXfer:features:read annexes in pieces of `piece` bytes: `m` until the last, `l`. */
function serveXfer(docs: Record<string, string>, piece: number): (p: string) => StubReply {
  return (p) => {
    const m = /^qXfer:features:read:([^:]+):([0-9a-f]+),([0-9a-f]+)$/.exec(p);
    if (!m) return '';
    const doc = docs[m[1]!];
    if (doc === undefined) return 'E00';
    const off = parseInt(m[2]!, 16);
    const part = doc.slice(off, off + Math.min(piece, parseInt(m[3]!, 16)));
    return (off + part.length >= doc.length ? 'l' : 'm') + escapeBinary(Buffer.from(part, 'latin1')).toString('latin1');
  };
}

const X86_DOCS: Record<string, string> = {
  'target.xml':
    '<?xml version="1.0"?><!DOCTYPE target SYSTEM "gdb-target.dtd"><target>' +
    '<architecture>i386:x86-64</architecture><xi:include href="core.xml"/>' +
    '<!-- <reg name="ghost" bitsize="64"/> <xi:include href="nope.xml"/> -->' +
    '<xi:include href="sys.xml"/></target>',
  'core.xml':
    '<feature name="org.gnu.gdb.i386.core"><reg name="rax" bitsize="64" type="int64"/>' +
    "<reg name='rbx' bitsize='64'/><!--\n<reg name=\"hidden\" bitsize=\"64\"/>\n-->" +
    '<reg name="rip" bitsize="64" type="code_ptr"/><reg name="eflags" bitsize="32"/></feature>',
  'sys.xml': '<feature name="org.qemu.gdb.x86.sys"><reg name="fs_base" bitsize="64" regnum="40"/><reg name="cr3" bitsize="64"/></feature>',
};

t.test('target.xml with includes, comments, multi-chunk m/l replies, regnum restarts', async (t) => {
  const { stub, client } = await setup(t, serveXfer(X86_DOCS, 100));
  const map = await client.readTargetDescription();
  t.ok(map);
  if (!map) return;
  t.equal(map.architecture, 'i386:x86-64');
  t.same(map.ordered.map((r) => [r.name, r.regnum, r.bitsize]), [
    ['rax', 0, 64],
    ['rbx', 1, 64],
    ['rip', 2, 64],
    ['eflags', 3, 32],
    ['fs_base', 40, 64],
    ['cr3', 41, 64],
  ]);
  t.notOk(map.byName.has('ghost') || map.byName.has('hidden'), 'commented-out registers are not numbered');
  const offsets = (annex: string, len: number): string[] => {
    const out: string[] = [];
    for (let off = 0; off < len; off += 100) out.push(`qXfer:features:read:${annex}:${off.toString(16)},3f0`);
    return out;
  };
  t.same(stub.packets, [
    ...offsets('target.xml', X86_DOCS['target.xml']!.length),
    ...offsets('core.xml', X86_DOCS['core.xml']!.length),
    ...offsets('sys.xml', X86_DOCS['sys.xml']!.length),
  ]);
  t.ok(stub.packets.length >= 7, 'several pieces per annex');
});

t.test('qXfer returns binary-safe text and reports errors', async (t) => {
  const { client } = await setup(t, serveXfer({ 'a.xml': 'x#y$z}*' + '0'.repeat(300) }, 64));
  t.equal(await client.qXferRead('features', 'a.xml'), 'x#y$z}*' + '0'.repeat(300));
  await t.rejects(client.qXferRead('features', 'missing.xml'), { code: 'RSP_ERROR_REPLY' });
  await t.rejects(client.qXferRead('memory-map', ''), { code: 'RSP_UNSUPPORTED' });
});

t.test('no target description: null, with or without asking', async (t) => {
  const { stub, client } = await setup(t, (p) => (p.startsWith('qSupported') ? 'PacketSize=1000;qXfer:features:read-' : p.startsWith('qXfer') ? 'E00' : ''));
  t.equal(await client.readTargetDescription(), null, 'E00 for target.xml');
  t.same(stub.packets, ['qXfer:features:read:target.xml:0,3f0']);
  await client.qSupported();
  t.equal(await client.readTargetDescription(), null, 'qXfer:features:read- (MIPS)');
  t.equal(stub.packets.length, 2, 'no qXfer asked once the stub said no');
});

t.test('g and p decoding, g offsets', async (t) => {
  const regs = '8877665544332211' + '0100000000000000' + '10000081ffffffff' + 'xxxxxxxx';
  const { stub, client } = await setup(t, (p) => {
    if (p.startsWith('qXfer')) return serveXfer(X86_DOCS, 0x400)(p);
    if (p === 'g') return regs;
    if (p === 'p2') return '10000081ffffffff';
    if (p === 'p29') return '00a0ab0100000000';
    if (p === 'p3') return 'xxxxxxxx';
    return 'E45';
  });
  t.equal((await client.readRegisterRaw(2)).toString('hex'), '10000081ffffffff', 'p before target.xml');
  await client.readTargetDescription();
  const g = await client.readAllRegisters();
  t.equal(g.length, 28);
  t.equal(g.toString('hex'), regs.replace(/x/g, '0'), 'unavailable (x) reads as 0');
  const map = client.registers!;
  t.same(map.ordered.map((r) => r.gOffset), [0, 8, 16, 24, undefined, undefined], 'g holds only the core registers');
  t.equal(map.byName.get('rax')!.gOffset, 0);
  t.equal(await client.readRegister('rip'), 0xffffffff81000010n);
  t.equal(await client.readRegister('cr3'), 0x1aba000n);
  t.equal(await client.readRegister('eflags'), 0n);
  t.same(stub.packets.filter((p) => p[0] === 'p' || p === 'g'), ['p2', 'g', 'p2', 'p29', 'p3']);
  await t.rejects(client.readRegister('xmm0'), { code: 'RSP_PROTOCOL' });
  await t.rejects(client.readRegisterRaw(7), { code: 'RSP_ERROR_REPLY' });
});

/** Memory where the byte at address a is a & 0xff; a read reaching `limit` fails. */
function memoryStub(limit = 1n << 64n): (p: string) => StubReply {
  return (p) => {
    const m = /^m([0-9a-f]+),([0-9a-f]+)$/.exec(p);
    if (!m) return p.startsWith('qSupported') ? QEMU_SUPPORTED : '';
    const addr = BigInt('0x' + m[1]!);
    const len = parseInt(m[2]!, 16);
    if (len > 0x800) return 'E22';
    if (addr + BigInt(len) > limit) return 'E14'; // QEMU fails the whole read
    return Buffer.from(Array.from({ length: len }, (_, i) => Number((addr + BigInt(i)) & 0xffn))).toString('hex');
  };
}

t.test('readMemory is chunked at 0x800', async (t) => {
  const { stub, client } = await setup(t, memoryStub());
  const base = 0xffffffff81000000n;
  const data = await client.readMemory(base + 0x10n, 0x1801);
  t.same(stub.packets, ['mffffffff81000010,800', 'mffffffff81000810,800', 'mffffffff81001010,800', 'mffffffff81001810,1']);
  t.equal(data.length, 0x1801);
  t.equal(data[0], 0x10);
  t.equal(data[0x1800], 0x10);
  t.equal(data[0x7ff], 0x0f);
  await client.qSupported();
  stub.packets.length = 0;
  await client.readMemory(0x1000n, 0x1000);
  t.same(stub.packets, ['m1000,800', 'm1800,800'], 'still 0x800 after QEMU qSupported');
});

t.test('readMemoryPartial stops at the first E14', async (t) => {
  const { stub, client } = await setup(t, memoryStub(0x2000n));
  const r = await client.readMemoryPartial(0x1700n, 0x1000);
  t.same(stub.packets, ['m1700,800', 'm1f00,800']);
  t.equal(r.data.length, 0x800);
  t.equal(r.data[0x7ff], 0xff);
  t.equal(r.error?.code, 'RSP_ERROR_REPLY');
  t.match(r.error?.message, /0x1f00 .*E14/);
  await t.rejects(client.readMemory(0x1ff0n, 0x20), { code: 'RSP_ERROR_REPLY' });
  t.same(await client.readMemoryPartial(0x3000n, 1).then((x) => x.data.length), 0, 'nothing readable');
});

t.test('Z0/z0/Z1 packets exactly as sent', async (t) => {
  const { stub, client } = await setup(t, (p) => (p.startsWith('Z1,dead') ? 'E22' : p.startsWith('Z2') ? '' : 'OK'));
  await client.insertBreakpoint(0xffffffff81e00010n);
  await client.removeBreakpoint(0xffffffff81e00010n);
  await client.insertBreakpoint(0x401000n, 1);
  await client.removeBreakpoint(0x401000n, 1);
  await client.insertBreakpoint(0x80000000n, 0, 4);
  t.same(stub.packets, ['Z0,ffffffff81e00010,1', 'z0,ffffffff81e00010,1', 'Z1,401000,1', 'z1,401000,1', 'Z0,80000000,4']);
  await t.rejects(client.insertBreakpoint(0xdeadn, 1), { code: 'RSP_ERROR_REPLY' });
});

t.test('vCont;s:02 then its stop reply', async (t) => {
  const { stub, client } = await setup(t, (p) => (p === 'vCont;s:02' ? 'T05thread:02;' : ''));
  const stop = await client.stepThread('02');
  t.same(stub.packets, ['vCont;s:02']);
  t.same(stop, { kind: 'signal', signal: 5, thread: '02', info: new Map([['thread', '02']]) });
});

t.test('c, then nothing but the stop ack until the stop arrives', async (t) => {
  const { stub, client } = await setup(t, () => null);
  await client.continue();
  t.same(stub.packets, ['c']);
  const mark = stub.mark();
  const stopP = client.waitStop();
  await sleep(150);
  t.equal(stub.rawSince(mark).length, 0, 'no byte written while the guest runs');
  stub.send('T05thread:p01.01;');
  const stop = await stopP;
  t.same(stop, { kind: 'signal', signal: 5, thread: 'p01.01', info: new Map([['thread', 'p01.01']]) });
  await stub.waitForBytes(mark + 1);
  await sleep(20);
  t.equal(stub.rawSince(mark).toString('latin1'), '+', 'only the ack of the stop');
});

t.test('interrupt writes exactly 0x03', async (t) => {
  const { stub, client } = await setup(t, () => null);
  await client.continue();
  const mark = stub.mark();
  client.interrupt();
  await stub.waitForBytes(mark + 1);
  t.same([...stub.rawSince(mark)], [0x03]);
  t.same(stub.events.at(-1), { kind: 'interrupt' });
  stub.send('T02thread:01;');
  t.same(await client.waitStop(), { kind: 'signal', signal: 2, thread: '01', info: new Map([['thread', '01']]) });
  await stub.waitForBytes(mark + 2);
  t.equal(stub.rawSince(mark).toString('latin1'), '\x03+');
});

t.test('qRcmd collects O output packets', async (t) => {
  const consoleSeen: string[] = [];
  const { stub, client } = await setup(t, (p) => {
    if (p === 'qRcmd,' + hex('info registers')) return ['O' + hex('RAX=0000000000000000\n'), 'O' + hex('IDT=     fffffe0000000000 00000fff\n'), 'OK'];
    if (p === 'qRcmd,' + hex('info jit')) return hex('TB flush count 3\n');
    return '';
  });
  client.conn.on('console', (s: string) => consoleSeen.push(s));
  t.equal(await client.monitor('info registers'), 'RAX=0000000000000000\nIDT=     fffffe0000000000 00000fff\n');
  t.equal(await client.monitor('info jit'), 'TB flush count 3\n', 'output as the reply itself');
  t.same(stub.packets, ['qRcmd,696e666f20726567697374657273', 'qRcmd,696e666f206a6974']);
  t.same(consoleSeen, [], 'collected output is not also emitted');
  await t.rejects(client.monitor('nope'), { code: 'RSP_UNSUPPORTED' });
});

t.test('console output outside qRcmd is emitted, OK is not console', async (t) => {
  const { stub, client } = await setup(t, (p) => (p === 'D' ? 'OK' : null));
  const seen: string[] = [];
  client.conn.on('console', (s: string) => seen.push(s));
  await client.continue();
  stub.send('O' + hex('hello\n'));
  stub.send('T05thread:01;');
  t.equal((await client.waitStop()).kind, 'signal');
  t.same(seen, ['hello\n']);
  await client.detach();
  t.same(stub.packets, ['c', 'D']);
});

t.test('threads and Hg caching', async (t) => {
  const { stub, client } = await setup(t, (p) => (p === 'qfThreadInfo' ? 'mp01.01,p01.02' : p === 'qsThreadInfo' ? 'l' : p === 'c' ? null : 'OK'));
  t.same(await client.threads(), ['p01.01', 'p01.02']);
  await client.selectThread('p01.02');
  await client.selectThread('p01.02');
  await client.continue();
  stub.send('T05thread:p01.01;');
  await client.waitStop();
  await client.selectThread('p01.02');
  t.same(stub.packets, ['qfThreadInfo', 'qsThreadInfo', 'Hgp01.02', 'c', 'Hgp01.02']);
});
