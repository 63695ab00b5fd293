/**
 * The checks every architecture's trace test makes on the test program's run (systest.c):
 * its log found call by call, a failing call's errno, an unknown number, the two threads'
 * calls paired with their own returns, no orphan return, exit_group with no return.
 * What differs per architecture (fork's notation, the thread key) is a parameter.
 */
import type { Test } from 'tap';
import type { TraceEvent } from '../../src/trace/event.js';
import { missingFromSubsequence, type ExpectedLine } from './guest.js';

/** Every line of each of the program's tasks (main, thread, fork and vfork children) traced, in order. */
export function checkLog(t: Test, expected: { lines: ExpectedLine[] }, lines: string[]): void {
  const tags = [...new Set(expected.lines.map((l) => l.tag))];
  t.same(tags.sort(), ['fchild', 'main', 'thread', 'vchild'], 'the log covers main, thread and both children');
  for (const tag of tags) {
    const want = expected.lines.filter((l) => l.tag === tag).map((l) => l.line);
    t.equal(missingFromSubsequence(want, lines), undefined, `every ${tag} call is traced, decoded exactly, in order (${want.length} calls)`);
  }
}

export interface CommonChecks {
  /** The unknown number systest calls, and what its return looks like on this ABI. */
  unknown: { no: number; name: string; ret: number; line?: string };
  /** ENOENT as this ABI numbers it (negated). */
  enoent?: number;
  /** What tells the reader thread from the writer: its user sp, or the thread key (MIPS kernelsp). */
  threadKey?: 'sp' | 'asid';
}

export function checkCommon(t: Test, events: TraceEvent[], lines: string[], c: CommonChecks): void {
  t.test('execve of the test program reported = 0', async (t) => {
    t.ok(lines.some((l) => l.startsWith('execve("/bin/systest", ["/bin/systest"], 0x') && l.endsWith(') = 0')), 'execve line');
  });

  t.test('a failing call carries its errno', async (t) => {
    const ev = events.find((e) => e.dir === 'return' && e.name === 'openat' && e.line?.includes('"/nonexistent/file"'));
    t.equal(ev?.ret, c.enoent ?? -2);
    t.equal(ev?.errno, 'ENOENT');
  });

  t.test(`unknown syscall ${c.unknown.no} is reported unknown with ENOSYS`, async (t) => {
    const ev = events.find((e) => e.dir === 'return' && e.no === c.unknown.no);
    t.ok(ev, `a return event for number ${c.unknown.no}`);
    t.equal(ev?.unknown, true);
    t.equal(ev?.name, c.unknown.name);
    t.equal(ev?.errno, 'ENOSYS');
    t.equal(ev?.ret, c.unknown.ret);
    if (c.unknown.line !== undefined) t.equal(ev?.line, c.unknown.line);
  });

  t.test('the blocked read overlaps the writer and pairs with its own return', async (t) => {
    const readRet = events.find((e) => e.dir === 'return' && e.name === 'read' && e.line?.includes('"ping", 16) = 4'));
    t.ok(readRet, 'the thread read returns "ping"');
    if (!readRet) return;
    const readEnter = events.find((e) => e.dir === 'enter' && e.call === readRet.call)!;
    const write = events.find((e) => e.dir === 'return' && e.name === 'write' && e.line?.includes('"ping", 4) = 4'));
    t.ok(write, 'the main thread writes "ping"');
    if (!write) return;
    const writeEnter = events.find((e) => e.dir === 'enter' && e.call === write.call)!;
    t.ok(readEnter.seq < writeEnter.seq && writeEnter.seq < readRet.seq, 'read entered before the write entered, and returned after it');
    t.equal(readEnter.sp, readRet.sp, 'the return came back on the reader thread stack');
    if (c.threadKey === 'asid') {
      t.equal(readEnter.asid, readRet.asid, 'with the reader thread key at entry and at return');
      t.not(readEnter.asid, write.asid, 'reader and writer are different threads (different keys)');
    } else t.not(readEnter.sp, write.sp, 'reader and writer are different threads');
  });

  t.test('every return of the test program pairs with an entry', async (t) => {
    const entered = new Set(events.filter((e) => e.dir === 'enter').map((e) => e.call));
    t.same(events.filter((e) => e.dir === 'return' && !entered.has(e.call)), [], 'no return without its entry');
  });

  t.test('exit_group never returns', async (t) => {
    const exits = events.filter((e) => e.name === 'exit_group');
    t.ok(exits.length >= 3, 'exit_group of both children and the program');
    t.ok(exits.every((e) => e.dir === 'enter' && e.noreturn && e.line?.endsWith(' = ?')), 'only entry events, = ?');
  });
}
