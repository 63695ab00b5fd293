import t from 'tap';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PerfettoSink } from '../../src/trace/perfetto.js';
import { LineWriter } from '../../src/trace/sinks.js';
import type { TraceEvent } from '../../src/trace/event.js';

function ev(p: Partial<TraceEvent>): TraceEvent {
  return { seq: 0, ts: 1000, dir: 'enter', call: 1, cpu: 0, asid: '0x1000', pc: '0x0', retaddr: '0x0', sp: '0x0', no: 0, name: 'read', args: [], profile: 'linux_x64', abi: 'x64', ...p };
}

t.test('trace event format: balanced complete slices on process and vCPU tracks', async (t) => {
  const file = join(mkdtempSync(join(tmpdir(), 'perfetto-')), 'trace.json');
  const sink = new PerfettoSink(new LineWriter(file));
  sink.event(ev({ call: 1, ts: 10.000001, pid: 5, tid: 6, comm: 'sh' }));
  sink.event(ev({ call: 2, ts: 10.5, name: 'openat', cpu: 1, pid: 5, tid: 7, comm: 'sh' }));
  sink.event(ev({ call: 2, ts: 10.75, dir: 'return', name: 'openat', cpu: 1, pid: 5, tid: 7, comm: 'sh', line: 'openat(...) = 3' }));
  sink.event(ev({ call: 1, ts: 11, dir: 'return', pid: 5, tid: 6, comm: 'sh', line: 'read(...) = 1' }));
  sink.event(ev({ call: 3, ts: 12, name: 'exit_group', noreturn: true, line: 'exit_group(0) = ?' })); // no pid: asid track
  sink.event(ev({ call: 4, ts: 13, name: 'wait4' })); // never returns before the end
  await sink.end();
  const doc = JSON.parse(readFileSync(file, 'utf8')) as { traceEvents: Array<Record<string, unknown>> };
  const evs = doc.traceEvents;
  t.ok(evs.every((e) => typeof e.ph === 'string' && typeof e.ts === 'number' && typeof e.pid === 'number' && typeof e.tid === 'number' && typeof e.name === 'string'), 'every event has ph, ts, pid, tid, name');
  const slices = evs.filter((e) => e.ph === 'X');
  t.ok(slices.every((e) => typeof e.dur === 'number' && (e.dur as number) >= 0), 'complete slices have a duration');
  t.notOk(evs.some((e) => e.ph === 'B' || e.ph === 'E'), 'no begin/end pairs to unbalance');
  const read = slices.find((e) => e.name === 'read' && e.pid === 5);
  t.match(read, { ts: 10000001, dur: 999999, tid: 6 }, 'read spans enter to return, in microseconds');
  t.equal(slices.filter((e) => e.name === 'openat').length, 2, 'one slice on the thread track, one on the vCPU track');
  t.ok(evs.some((e) => e.ph === 'M' && e.name === 'thread_name' && (e.args as { name: string }).name === 'vCPU 1'), 'vCPU tracks are named');
  t.ok(evs.some((e) => e.ph === 'M' && e.name === 'process_name' && (e.args as { name: string }).name === 'sh (5)'), 'process tracks are named');
  t.ok(slices.some((e) => e.name === 'wait4' && (e.args as { unfinished?: boolean }).unfinished), 'an unfinished call is still shown');
});
