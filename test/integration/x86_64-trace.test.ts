/**
 * The foundation's end-to-end check: boot the x86_64 guest (KASLR on, -smp 2) under
 * `systrace run`, and compare the calls systrace decoded with the calls the test program
 * says it made (test/guest/systest.c prints them in strace notation).
 */
import t, { type Test } from 'tap';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GUEST, guestReady, missingFromSubsequence, parseSystest, qemuCommand, readEvents, run, SYSTRACE } from './guest.js';
import type { TraceEvent } from '../../src/trace/event.js';

/** The calls the selective run asks for; every other call must not appear at all. */
const SELECTED = ['openat', 'read', 'write', 'close', 'pipe2', 'fork', 'vfork', 'wait4', 'exit_group', 'execve'];

const notReady = guestReady();
if (notReady) t.fail(notReady);
else {
  for (const mode of ['entry', 'exit', 'selective'] as const) {
    await t.test(`mode ${mode}`, async (t) => traceAndCompare(t, mode));
  }
}

type T = Test;

async function traceAndCompare(t: T, mode: 'entry' | 'exit' | 'selective'): Promise<void> {
  {

  const dir = mkdtempSync(join(tmpdir(), 'systrace-test-'));
  const traceFile = join(dir, 'trace.jsonl');
  const res = await run(
    process.execPath,
    [SYSTRACE, 'run', ...(mode === 'selective' ? ['-e', `trace=${SELECTED.join(',')}`] : ['--mode', mode]), '--json', '-o', traceFile, '--symbols', join(GUEST, 'kallsyms'), '--btf', join(GUEST, 'btf'), '--', ...qemuCommand()],
    { timeoutMs: 600_000 },
  );
  t.equal(res.code, 0, 'systrace run exits with QEMU status 0', { stderr: res.stderr.slice(-3000) });
  const expected = parseSystest(res.stdout);
  t.ok(expected, 'the guest program printed its log', { stdout: res.stdout.slice(-2000) });
  const events = readEvents(traceFile);
  t.ok(events.length > 50, `trace has events (${events.length})`);
  if (mode === 'selective') {
    const others = [...new Set(events.map((e) => e.name))].filter((n) => !SELECTED.includes(n));
    t.same(others, [], 'only the selected calls stop the guest');
  }
  // Every call completed by an event carrying its whole strace line, in trace order.
  const lines = events.filter((e) => e.line !== undefined).map((e) => e.line!);

  if (expected) {
    const tags = [...new Set(expected.lines.map((l) => l.tag))];
    t.same(tags.sort(), ['fchild', 'main', 'thread', 'vchild'], 'the log covers main, thread and both children');
    for (const tag of tags) {
      const want: string[] = expected.lines
        .filter((l) => l.tag === tag)
        .map((l) => l.line)
        .filter((l) => mode !== 'selective' || SELECTED.includes(l.slice(0, l.indexOf('('))));
      t.equal(missingFromSubsequence(want, lines), undefined, `every ${tag} call is traced, decoded exactly, in order (${want.length} calls)`);
    }

    t.test('execve of the test program reported = 0', async (t) => {
      t.ok(lines.some((l) => l.startsWith('execve("/bin/systest", ["/bin/systest"], 0x') && l.endsWith(') = 0')), 'execve line');
    });

    t.test('every event names its process: pid, tid, ppid, comm', async (t) => {
      const pid = expected.pid;
      t.ok(events.every((e) => typeof e.pid === 'number' && typeof e.tid === 'number' && typeof e.comm === 'string'), 'all events carry pid, tid, comm');
      const mine = events.filter((e) => e.comm === 'systest');
      t.ok(mine.length > 10, `events of the test program (${mine.length})`);
      const forkRet = events.find((e) => e.name === 'fork' && e.child !== true && e.dir === 'return');
      const vforkRet = events.find((e) => e.name === 'vfork' && e.child !== true && e.dir === 'return');
      const children = [forkRet?.ret, vforkRet?.ret];
      t.same(mine.filter((e) => e.pid !== pid && !children.includes(e.pid)), [], `every systest event is of pid ${pid} or of its two children`);
      const getpid = events.find((e) => e.line === `getpid() = ${pid}`);
      if (mode !== 'selective') t.match(getpid, { pid, tid: pid, comm: 'systest' }, 'getpid() is made by the main thread');
      const gettid = expected.lines.find((l) => l.tag === 'thread' && l.line.startsWith('gettid()'));
      const tid = Number(gettid?.line.split('= ')[1]);
      if (mode !== 'selective') t.match(events.find((e) => e.line === `gettid() = ${tid}`), { pid, tid }, 'gettid() is made by the second thread of the same process');
      for (const [name, r] of [['fork', forkRet], ['vfork', vforkRet]] as const) {
        const child = events.find((e) => e.name === name && e.child === true);
        t.match(child, { pid: r?.ret, tid: r?.ret, ppid: pid, comm: 'systest' }, `the ${name} child returns as pid ${r?.ret}, child of ${pid}`);
      }
    });

    if (mode !== 'selective') t.test('unknown syscall 1000 is reported unknown with ENOSYS', async (t) => {
      const ev = events.find((e) => e.dir === 'return' && e.no === 1000);
      t.ok(ev, 'a return event for number 1000');
      t.equal(ev?.unknown, true);
      t.equal(ev?.name, 'syscall_0x3e8');
      t.equal(ev?.errno, 'ENOSYS');
      t.equal(ev?.ret, -38);
    });

    t.test('the blocked read overlaps the writer and pairs with its own return', async (t) => {
      const readRet = events.find((e) => e.dir === 'return' && e.name === 'read' && e.line?.includes('"ping", 16) = 4'));
      t.ok(readRet, 'the thread read returns "ping"');
      if (!readRet) return;
      const readEnter = events.find((e) => e.dir === 'enter' && e.call === readRet.call)!;
      const write = events.find((e) => e.dir === 'return' && e.name === 'write' && e.line?.includes('"ping", 4) = 4'))!;
      t.ok(write, 'the main thread writes "ping"');
      const writeEnter = events.find((e) => e.dir === 'enter' && e.call === write.call)!;
      if (mode !== 'exit') t.ok(readEnter.seq < writeEnter.seq && writeEnter.seq < readRet.seq, 'read entered before the write entered, and returned after it');
      else t.ok(readEnter.late === true, 'the read is seen at its exit');
      t.not(readRet.tid, write.tid, 'the reader and the writer are different threads');
      t.equal(readEnter.sp, readRet.sp, 'the return came back on the reader thread stack');
      t.not(readEnter.sp, write.sp, 'reader and writer are different threads');
    });

    for (const [name, childFirst] of [['fork', false], ['vfork', true]] as const) {
      t.test(`${name} returns in parent and child${childFirst ? ', the child first' : ''}`, async (t) => {
      const rets = events.filter((e) => e.dir === 'return' && e.name === name);
      t.equal(rets.length, 2, `${name} returned twice`);
      const [a, b] = rets as [TraceEvent, TraceEvent];
      // Entry mode pairs both returns with the one entry; exit mode sees two exits, one per task.
      if (mode !== 'exit') t.equal(a.call, b.call, 'both returns belong to one call');
      else t.not(a.call, b.call, 'one exit per task');
      const child = rets.find((e) => e.child)!;
      const parent = rets.find((e) => !e.child)!;
      t.equal(child?.ret, 0, 'child gets 0');
      t.ok((parent?.ret ?? 0) > 0, 'parent gets the child pid');
      if (childFirst) t.ok(child.seq < parent.seq, 'the vfork child returns first');
      if (name === 'fork') t.not(child.asid, parent.asid, 'the fork child returns in a new address space');
      else t.equal(child.asid, parent.asid, 'the vfork child shares the address space');
      });
    }

    t.test('exit_group never returns', async (t) => {
      const exits = events.filter((e) => e.name === 'exit_group');
      t.ok(exits.length >= 3, 'exit_group of both children and the program');
      t.ok(exits.every((e) => e.dir === 'enter' && e.noreturn && e.line?.endsWith(' = ?')), 'only entry events, = ?');
    });
  }
  }
}
