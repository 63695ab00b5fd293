/**
 * The probe engine's host side without a guest: the committed recorder bytes match a fresh
 * build of src/probe/recorder.c + hooks.S (when the same gcc is at hand), records parse
 * (and malformed ones stop the parse), capture plans follow the decoder's kinds, captured
 * bytes read back as the decoder expects, and call sites are found only where they are.
 */
import t from 'tap';
import { execFileSync, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { CaptureMemory } from '../../src/probe/capture-memory.js';
import { plan } from '../../src/probe/captures.js';
import { findRel32, retarget } from '../../src/probe/call-sites.js';
import { CapStatus, encodeCapture, ENTER_WORDS, EXIT_WORDS, F_LIVE_ENTER, parseRecords, PROC_SIZE, RecType, REC_HEADER } from '../../src/probe/layout.js';
import { RECORDER_CODE, RECORDER_GCC, RECORDER_SYMBOLS } from '../../src/probe/recorder-bytes.js';
import { loadProfile } from '../../src/profile/profile.js';
import { loadPrototypes } from '../../src/decode/prototypes.js';

const ROOT = join(import.meta.dirname ?? new URL('.', import.meta.url).pathname, '..', '..', '..');

const gcc = spawnSync('gcc', ['-dumpfullversion'], { encoding: 'utf8' });
const sameGcc = gcc.status === 0 && gcc.stdout.trim() === RECORDER_GCC;
t.test('the committed recorder bytes are what the sources build to', { skip: sameGcc ? false : `needs gcc ${RECORDER_GCC} (found ${gcc.status === 0 ? gcc.stdout.trim() : 'none'}): other compilers emit other bytes` }, (t) => {
  const out = execFileSync('bash', [join(ROOT, 'scripts/build-recorder.sh'), '--check'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  t.match(out, /match/);
  t.end();
});

t.test('recorder blob: hooks first, code under a page', async (t) => {
  t.equal(RECORDER_SYMBOLS.entry_hook, 0);
  t.ok(RECORDER_CODE.length > 0x100 && RECORDER_CODE.length < 0x1000, `${RECORDER_CODE.length} bytes`);
  t.equal(RECORDER_CODE[RECORDER_SYMBOLS.doorbell_full], 0xc3, 'the full doorbell is a ret');
  t.equal(RECORDER_CODE[RECORDER_SYMBOLS.doorbell_live], 0xc3, 'the live doorbell is a ret');
});

function record(type: RecType, caps: Array<{ addr: bigint; status: CapStatus; bytes: Buffer }>, live = false, comm?: string, withArgs = true): Buffer {
  const body = caps.map((c) => {
    const h = Buffer.alloc(16 + ((c.bytes.length + 7) & ~7));
    h.writeBigUInt64LE(c.addr, 0);
    h.writeUInt32LE(c.bytes.length, 8);
    h[12] = 1;
    h[13] = c.status;
    c.bytes.copy(h, 16);
    return h;
  });
  const enter = type === RecType.Enter;
  const words = enter ? ENTER_WORDS : EXIT_WORDS + (withArgs ? 6 : 0);
  const head = Buffer.alloc(REC_HEADER + 8 * words + (comm ? PROC_SIZE : 0));
  const len = head.length + body.reduce((n, b) => n + b.length, 0);
  head.writeUInt32LE(len, 0);
  head.writeUInt16LE(type, 4);
  head.writeUInt16LE((live ? 1 : 0) | (comm ? 2 : 0) | (!enter && withArgs ? 4 : 0), 6);
  head.writeUInt32LE(1, 8);
  head.writeUInt32LE(caps.length, 12);
  const word = (i: number, v: bigint): void => void head.writeBigUInt64LE(v, REC_HEADER + 8 * i);
  word(0, 1234n); // tsc
  word(1, 0xffffc90000123f58n); // regs
  word(3, 257n); // nr
  if (!enter) word(4, 0xfffffffffffffffen); // ax: -ENOENT
  const a0 = enter ? 6 : 7;
  if (enter || withArgs) for (let i = 0; i < 6; i++) word(a0 + i, BigInt(i + 1));
  if (comm) {
    const at = REC_HEADER + 8 * words;
    head.writeInt32LE(12, at); // tid
    head.writeInt32LE(10, at + 4); // tgid
    head.writeInt32LE(1, at + 8); // ppid
    head.write(comm, at + 16, 'latin1');
  }
  return Buffer.concat([head, ...body]);
}

t.test('records parse; a pad skips to the ring end; a bad length stops the parse', async (t) => {
  const pad = Buffer.alloc(24);
  pad.writeUInt32LE(24, 0);
  const a = record(RecType.Enter, [{ addr: 0x1000n, status: CapStatus.Str, bytes: Buffer.from('/etc/hostname') }], true);
  const b = record(RecType.Return, [], false, 'systest');
  const r = parseRecords(Buffer.concat([a, pad, b]));
  t.equal(r.malformed, false);
  t.equal(r.records.length, 2);
  t.match(r.records[0], { type: RecType.Enter, live: true, cpu: 1, tsc: 1234n, nr: 257n, args: [1n, 2n, 3n, 4n, 5n, 6n] });
  t.equal(r.records[0]!.caps[0]!.bytes.toString(), '/etc/hostname');
  t.equal(r.records[0]!.proc, undefined, 'no caller without task offsets');
  t.match(r.records[1], { type: RecType.Return, ax: 0xfffffffffffffffen, args: [1n, 2n, 3n, 4n, 5n, 6n], proc: { pid: 10, tid: 12, ppid: 1, comm: 'systest' } });
  t.equal(r.records[1]!.span, 24 + b.length, 'the pad is counted with the record after it');
  const short = parseRecords(record(RecType.Return, [{ addr: 0x1000n, status: CapStatus.Ok, bytes: Buffer.from('ok') }], false, 'systest', false));
  t.match(short.records[0], { type: RecType.Return, args: [], proc: { comm: 'systest' } }, 'a return whose entry was recorded has no arguments');
  t.equal(short.records[0]!.caps[0]!.bytes.toString(), 'ok', 'its captures follow the caller block');
  const bad = Buffer.from(b);
  bad.writeUInt32LE(12, 0);
  const m = parseRecords(Buffer.concat([a, bad]));
  t.equal(m.malformed, true);
  t.equal(m.records.length, 1);
  const lying = record(RecType.Enter, [{ addr: 1n, status: CapStatus.Ok, bytes: Buffer.alloc(8) }]);
  lying.writeUInt32LE(100000, REC_HEADER + 8 * ENTER_WORDS + 8); // a capture longer than its record
  t.equal(parseRecords(lying).malformed, true);
});

t.test('capture plans follow the decoder kinds', async (t) => {
  const profile = loadProfile('linux_x64');
  const table = loadPrototypes(profile.prototypes, profile.wordSize, profile.names);
  const no = (n: string): number => table.byShortName(n)!.no;
  t.match(plan(table, no('openat'), 32), { flags: 0, captures: [{ arg: 1, kind: 'string', max: 4098, enter: true }] });
  t.match(plan(table, no('read'), 32), { flags: 0, captures: [{ arg: 1, kind: 'counted', src: 'ret', max: 33, enter: false, ret: true }] });
  t.match(plan(table, no('write'), 32), { flags: 0, captures: [{ arg: 1, kind: 'counted', src: 2, enter: true }] });
  t.match(plan(table, no('fstat'), 32), { captures: [{ arg: 1, kind: 'fixed', max: 144, enter: false }] });
  t.same(plan(table, no('getpid'), 32), { flags: 0, captures: [] });
  t.equal(plan(table, no('execve'), 32).flags & F_LIVE_ENTER, F_LIVE_ENTER, 'execve (string arrays) is decoded live');
  t.equal(plan(table, no('rt_sigreturn'), 32).flags & F_LIVE_ENTER, F_LIVE_ENTER, 'rt_sigreturn reads its frame live');
  t.equal(encodeCapture({ arg: 2, kind: 'counted', src: 'ret', max: 33, enter: false, ret: true }), (33 | (2 << 16) | (3 << 19) | (7 << 21) | (2 << 24)) >>> 0);
});

t.test('captured bytes read back as the decoder expects', async (t) => {
  const m = new CaptureMemory([
    [{ addr: 0x2000n, arg: 1, status: CapStatus.Ok, bytes: Buffer.from('ping') }],
    [
      { addr: 0x1000n, arg: 1, status: CapStatus.Str, bytes: Buffer.from('/etc') },
      { addr: 0x3000n, arg: 0, status: CapStatus.StrCut, bytes: Buffer.from('abcdef') },
      { addr: 0x4000n, arg: 0, status: CapStatus.Fault, bytes: Buffer.alloc(0) },
      { addr: 0x5000n, arg: 0, status: CapStatus.Ok, bytes: Buffer.alloc(0) },
    ],
  ]);
  t.same(await m.readString(0x1000n, 4096), { bytes: Buffer.from('/etc'), terminated: true });
  t.same(await m.readString(0x1000n, 2), { bytes: Buffer.from('/e'), terminated: false });
  t.same(await m.readString(0x3000n, 4096), { bytes: Buffer.from('abcdef'), terminated: false }, 'a cut string is not terminated');
  t.same(await m.read(0x2000n, 16), Buffer.from('ping'));
  t.same(await m.read(0x2001n, 2), Buffer.from('in'));
  t.same(await m.read(0x5000n, 0), Buffer.alloc(0), 'a read of 0 bytes at a 0-byte capture');
  t.equal(m.misses, 0);
  t.equal(await m.read(0x4000n, 8), null, 'a faulted capture is unreadable');
  t.equal(await m.read(0x9000n, 8), null, 'so is what was not captured');
  t.equal(m.misses, 2);
});

t.test('call sites: exact rel32 targets only; retargeting keeps the opcode', async (t) => {
  const base = 0xffffffff81000000n;
  const code = Buffer.alloc(64, 0x90);
  // call base+0x100 at offset 10; a jmp to it at 30; a call elsewhere at 50.
  code[10] = 0xe8;
  code.writeInt32LE(0x100 - 15, 11);
  code[30] = 0xe9;
  code.writeInt32LE(0x100 - 35, 31);
  code[50] = 0xe8;
  code.writeInt32LE(0x200, 51);
  t.same(findRel32(code, base, base + 0x100n), [10, 30]);
  const site = { what: 'x', at: base + 10n, hook: 'entry_hook' as const, original: code.subarray(10, 15), target: base + 0x100n };
  const to = 0xffffffffc0001000n;
  const b = retarget(site, to)!;
  t.equal(b[0], 0xe8);
  t.equal(base + 15n + BigInt(b.readInt32LE(1)), to);
  t.equal(retarget(site, 0xffff888000000000n), undefined, 'out of rel32 reach');
});
