/** The text sink's strace options: -t/-tt/-ttt, -T from enter to return, -e status=failed. */
import t from 'tap';
import { TextSink, timeSpent, timestamp, type LineWriter, type TextStyle } from '../../src/trace/sinks.js';
import type { TraceEvent } from '../../src/trace/event.js';

function sink(style: Partial<TextStyle>): { s: TextSink; lines: string[] } {
  const lines: string[] = [];
  const out = { line: (l: string) => lines.push(l), end: async () => undefined } as unknown as LineWriter;
  return { s: new TextSink(out, { prefix: false, firstExitArg: () => 1, style }), lines };
}

function ev(dir: 'enter' | 'return', call: number, ts: number, extra: Partial<TraceEvent> = {}): TraceEvent {
  return {
    seq: call * 2 + (dir === 'return' ? 1 : 0), ts, dir, call, cpu: 0, asid: '0x1', pc: '0x0', retaddr: '0x0', sp: '0x0', no: 0, name: 'read',
    args: [{ name: 'fd', type: 'int', raw: '0x3', text: '3' }, { name: 'buf', type: 'char *', raw: '0x1000' }], profile: 'linux_x64', abi: 'x64', ...extra,
  };
}

t.test('timestamps and time spent', async (t) => {
  t.equal(timestamp(1795926807.123456, 3), '1795926807.123456');
  t.match(timestamp(1795926807.123456, 2), /^\d\d:\d\d:\d\d\.123456$/);
  t.match(timestamp(1795926807.123456, 1), /^\d\d:\d\d:\d\d$/);
  t.equal(timeSpent(10.000001, 10.250002), ' <0.250001>');
  t.equal(timeSpent(10, 9), ' <0.000000>', 'never negative');
});

t.test('-ttt -T: the enter time on the line, the time spent after the return', async (t) => {
  const { s, lines } = sink({ timestamps: 3, timing: true });
  s.event(ev('enter', 1, 100.5));
  s.event(ev('return', 1, 100.75, { line: 'read(3, "x", 1) = 1', retText: '1' }));
  s.event(ev('enter', 2, 101, { name: 'exit_group', line: 'exit_group(0) = ?', noreturn: true }));
  await s.end();
  t.same(lines, ['100.500000 read(3, "x", 1) = 1 <0.250000>', '101.000000 exit_group(0) = ?']);
});

t.test('-T on interleaved calls: unfinished and resumed lines', async (t) => {
  const { s, lines } = sink({ timing: true });
  s.event(ev('enter', 1, 1));
  s.event(ev('enter', 2, 1.5, { name: 'getpid', args: [] }));
  s.event(ev('return', 2, 1.5005, { name: 'getpid', args: [], line: 'getpid() = 7', retText: '7' }));
  s.event(ev('return', 1, 3, { args: [{ name: 'fd', type: 'int', raw: '0x3', text: '3' }, { name: 'buf', type: 'char *', raw: '0x1000', text: '"x"' }], retText: '1' }));
  t.same(lines, ['read(3,  <unfinished ...>', 'getpid() = 7 <0.000500>', '<... read resumed>"x") = 1 <2.000000>']);
});

t.test('-e status=failed: only failed calls, whole lines', async (t) => {
  const { s, lines } = sink({ failedOnly: true });
  s.event(ev('enter', 1, 1));
  s.event(ev('return', 1, 2, { line: 'read(3, "x", 1) = 1', retText: '1', ret: 1 }));
  s.event(ev('enter', 2, 3));
  s.event(ev('enter', 3, 3.5, { name: 'getpid', args: [] }));
  s.event(ev('return', 3, 3.6, { name: 'getpid', args: [], line: 'getpid() = 7', retText: '7' }));
  s.event(ev('return', 2, 4, { line: 'read(3, 0x1000, 1) = -1 EBADF (Bad file descriptor)', errno: 'EBADF', ret: -1 }));
  s.event(ev('enter', 4, 5, { name: 'exit_group', line: 'exit_group(0) = ?', noreturn: true }));
  await s.end();
  t.same(lines, ['read(3, 0x1000, 1) = -1 EBADF (Bad file descriptor)']);
});
