/**
 * SMP: a 4-vCPU guest running eight threads that make their own calls at once
 * (test/guest/threads.c). In entry+return mode every return must be paired with its own
 * thread's entry: each thread's log must appear in the trace, and each of those calls must
 * carry the thread id that thread's gettid() returned.
 */
import t from 'tap';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GUEST, guestReady, missingFromSubsequence, qemuCommand, readEvents, run, SYSTRACE } from './guest.js';

const notReady = guestReady();
if (notReady) t.fail(notReady);
else {
  const dir = mkdtempSync(join(tmpdir(), 'systrace-smp-'));
  const traceFile = join(dir, 'trace.jsonl');
  const qemu = qemuCommand('systest.mode=threads');
  const smp = qemu.indexOf('-smp');
  t.ok(smp > 0, 'the guest command line has -smp');
  qemu[smp + 1] = '4';
  const res = await run(process.execPath, [SYSTRACE, 'run', '--mode', 'entry', '--json', '-o', traceFile, '--symbols', join(GUEST, 'kallsyms'), '--btf', join(GUEST, 'btf'), '--', ...qemu], { timeoutMs: 600_000 });
  t.equal(res.code, 0, 'exit 0', { stderr: res.stderr.slice(-2000) });
  const m = /THREADS BEGIN pid=(\d+)\r?\n([\s\S]*?)THREADS END/.exec(res.stdout);
  t.ok(m, 'the program printed its log');
  if (m) {
    const pid = Number(m[1]);
    const log = m[2]!.split(/\r?\n/).filter(Boolean).map((l) => ({ tag: l.slice(0, l.indexOf(' ')), line: l.slice(l.indexOf(' ') + 1) }));
    const events = readEvents(traceFile);
    const mine = events.filter((e) => e.pid === pid && e.line !== undefined);
    t.ok(new Set(events.map((e) => e.cpu)).size >= 3, `calls on several vCPUs (${[...new Set(events.map((e) => e.cpu))].sort().join(',')})`);
    const tags = [...new Set(log.map((l) => l.tag))];
    t.equal(tags.length, 8, 'eight threads logged');
    let overlapped = 0;
    for (const tag of tags) {
      const want = log.filter((l) => l.tag === tag).map((l) => l.line);
      const tid = Number(want[0]!.split('= ')[1]);
      const theirs = mine.filter((e) => e.tid === tid).map((e) => e.line!);
      t.equal(missingFromSubsequence(want, theirs), undefined, `${tag} (tid ${tid}): all ${want.length} calls traced on its own thread, in order, with its own results`);
      const foreign = mine.filter((e) => e.tid !== tid && want.includes(e.line!) && !e.line!.startsWith('openat') && !e.line!.startsWith('close'));
      t.same(foreign.map((e) => e.line), [], `no other thread got ${tag}'s results`);
      // Overlap: some other thread's event sits between this thread's first enter and last return.
      const evs = events.filter((e) => e.tid === tid && e.pid === pid);
      const first = evs[0]?.seq ?? 0;
      const last = evs[evs.length - 1]?.seq ?? 0;
      if (events.some((e) => e.pid === pid && e.tid !== tid && e.seq > first && e.seq < last)) overlapped++;
    }
    t.ok(overlapped >= 2, `threads really ran at the same time (${overlapped} overlapped another)`);
  }
}
