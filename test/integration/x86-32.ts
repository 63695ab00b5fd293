/**
 * Checks shared by the tests of 32-bit x86 programs (test/integration/i386-trace.test.ts on
 * the i386 kernel, x86_64-compat.test.ts on the x86_64 kernel): one traced boot of a guest
 * that runs the i686 build of test/guest/systest.c, whose calls are made through the vDSO's
 * __kernel_vsyscall (main) and with `int $0x80` (the reader thread's gettid and read, vfork
 * and its child's exit_group), compared with the log it prints.
 */
import type { Test } from 'tap';
import type { Traced } from './guest.js';
import type { TraceEvent } from '../../src/trace/event.js';

/**
 * The events whose lines are the `want` lines in order (the first match after the previous
 * one), or the first line missing.
 */
export function matchInOrder(want: string[], events: TraceEvent[]): { events: TraceEvent[] } | { missing: string } {
  const out: TraceEvent[] = [];
  let j = 0;
  for (const w of want) {
    while (j < events.length && events[j]!.line !== w) j++;
    if (j === events.length) return { missing: w };
    out.push(events[j]!);
    j++;
  }
  return { events: out };
}

/**
 * The checks every run makes: the decoded sequence of each task of the program (all of the
 * i386 ABI), a failing call with its errno, the unknown number 1000, the reader thread's
 * calls paired with their own returns, fork and vfork returning in parent and child, and
 * exit_group without a return.
 */
export async function checkSystest32(t: Test, r: Traced, profile: string, how: { vsyscall: string; abi32: string }): Promise<void> {
  const { res, events, expected } = r;
  t.equal(res.code, 0, 'systrace run exits with QEMU status 0', { stderr: res.stderr.slice(-3000) });
  t.ok(expected, 'the guest program printed its log', { stdout: res.stdout.slice(-2000) });
  t.match(res.stdout, new RegExp(`^SYSTEST VSYSCALL ${how.vsyscall}\\r?$`, 'm'), `the vDSO's __kernel_vsyscall uses ${how.vsyscall}`);
  t.ok(events.length > 50, `trace has events (${events.length})`);
  t.ok(events.every((e) => e.profile === profile), `every event is of profile ${profile}`);
  if (!expected) return;

  const tags = [...new Set(expected.lines.map((l) => l.tag))];
  t.same([...tags].sort(), ['fchild', 'main', 'thread', 'vchild'], 'the log covers main, thread and both children');
  const withLines = events.filter((e) => e.line !== undefined);
  for (const tag of tags) {
    const want = expected.lines.filter((l) => l.tag === tag).map((l) => l.line);
    const m = matchInOrder(want, withLines);
    t.notOk('missing' in m && m.missing, `every ${tag} call is traced, decoded exactly, in order (${want.length} calls)`);
    if ('events' in m) t.ok(m.events.every((e) => e.abi === how.abi32), `the ${tag} calls are of the ${how.abi32} ABI`);
  }

  t.test('a failing call carries its errno', async (t) => {
    const ev = events.find((e) => e.dir === 'return' && e.name === 'openat' && e.line?.startsWith('openat(AT_FDCWD, "/nonexistent/file"'));
    t.equal(ev?.errno, 'ENOENT');
    t.equal(ev?.ret, -2);
    t.equal(ev?.abi, how.abi32);
  });

  t.test('unknown syscall 1000: six arguments, ENOSYS', async (t) => {
    const ev = events.find((e) => e.dir === 'return' && e.no === 1000);
    t.ok(ev, 'a return event for number 1000');
    t.equal(ev?.unknown, true);
    t.equal(ev?.abi, how.abi32);
    t.equal(ev?.line, 'syscall_0x3e8(0x1, 0x2, 0x3, 0x4, 0x5, 0x6) = -1 ENOSYS (Function not implemented)', 'the 6th argument too (the user stack on the vDSO path)');
    t.equal(ev?.errno, 'ENOSYS');
    t.equal(ev?.ret, -38);
  });

  t.test('the reader thread: its calls pair with their own returns', async (t) => {
    const readRet = events.find((e) => e.dir === 'return' && e.name === 'read' && e.line?.includes('"ping", 16) = 4'));
    const write = events.find((e) => e.dir === 'return' && e.name === 'write' && e.line?.endsWith('"ping", 4) = 4'));
    t.ok(readRet, 'the thread read returns "ping"');
    t.ok(write, 'the main thread writes "ping"');
    if (!readRet || !write) return;
    const readEnter = events.find((e) => e.dir === 'enter' && e.call === readRet.call)!;
    const writeEnter = events.find((e) => e.dir === 'enter' && e.call === write.call)!;
    t.ok(readEnter, 'the read has its entry');
    if (!readEnter.late) {
      // Entry+return mode: the read blocked across the write.
      t.ok(readEnter.seq < writeEnter.seq && writeEnter.seq < readRet.seq, 'read entered before the write entered, and returned after it');
    }
    t.equal(readEnter.sp, readRet.sp, 'the return came back on the reader thread stack');
    t.not(readRet.sp, write.sp, 'reader and writer are different threads');
  });

  t.test('every return pairs with an entry', async (t) => {
    const entered = new Set(events.filter((e) => e.dir === 'enter').map((e) => e.call));
    t.same(events.filter((e) => e.dir === 'return' && !entered.has(e.call)), [], 'no return without its entry');
  });

  for (const [what, childFirst] of [['fork', false], ['vfork', true]] as const) {
    t.test(`${what} returns in parent and child${childFirst ? ', the child first' : ''}`, async (t) => {
      // The test program's call: its first of its kind of the i386 ABI.
      const rets = events.filter((e) => e.dir === 'return' && e.name === what && e.abi === how.abi32);
      const call = rets.filter((e) => e.call === rets[0]?.call);
      const child = call.find((e) => e.child);
      const parent = call.find((e) => !e.child);
      // Exit mode sees each return as its own call (the child's starts in ret_from_fork).
      const pair = call.length === 2 ? { child, parent } : { child: rets.find((e) => e.child), parent: rets.find((e) => !e.child) };
      t.equal(pair.child?.ret, 0, 'child gets 0');
      t.ok((pair.parent?.ret ?? 0) > 0, 'parent gets the child pid');
      if (!pair.child || !pair.parent) return;
      t.equal(pair.child.retaddr, pair.parent.retaddr, 'both return at the same user pc');
      if (childFirst) t.ok(pair.child.seq < pair.parent.seq, 'the vfork child returns first');
      if (what === 'fork') t.not(pair.child.asid, pair.parent.asid, 'the fork child returns in a new address space');
      else t.equal(pair.child.asid, pair.parent.asid, 'the vfork child shares the address space');
    });
  }

  t.test('exit_group never returns', async (t) => {
    const exits = events.filter((e) => e.name === 'exit_group' && e.abi === how.abi32);
    t.ok(exits.length >= 3, 'exit_group of both children and the program');
    t.ok(exits.every((e) => e.dir === 'enter' && e.noreturn && e.line?.endsWith(' = ?')), 'only entry events, = ?');
    for (const code of [7, 3, 0]) t.ok(exits.some((e) => e.line === `exit_group(${code}) = ?`), `exit_group(${code})`);
  });
}

/**
 * Entry mode: the calls stopped at the entry of the path they took. `fast` and `int80` are the
 * breakpoint symbols of the vDSO path and of `int $0x80`.
 */
export function checkEntryPaths(t: Test, r: Traced, fast: string, int80: string): void {
  const fastAt = r.bps.get(fast);
  const int80At = r.bps.get(int80);
  t.ok(fastAt && int80At, `breakpoints on ${fast} and ${int80}`, { stderr: r.res.stderr.slice(0, 2000) });
  const enter = (pred: (e: TraceEvent) => boolean) => r.events.find((e) => e.dir === 'enter' && pred(e));
  // Main's calls go through the vDSO; the thread's read, and vfork, use int $0x80.
  t.equal(enter((e) => e.name === 'getpid' && e.abi !== 'x64')?.pc, fastAt, `getpid stopped at ${fast}`);
  t.equal(enter((e) => e.name === 'write' && e.abi !== 'x64' && e.args[1]?.text === '"ping"')?.pc, fastAt, `the write of "ping" stopped at ${fast}`);
  t.equal(enter((e) => e.name === 'gettid' && e.abi !== 'x64')?.pc, int80At, `the thread's gettid stopped at ${int80}`);
  t.equal(enter((e) => e.name === 'read' && e.abi !== 'x64' && e.args[2]?.raw === '0x10')?.pc, int80At, `the thread's read stopped at ${int80}`);
  t.equal(enter((e) => e.name === 'vfork' && e.abi !== 'x64')?.pc, int80At, `vfork stopped at ${int80}`);
}
