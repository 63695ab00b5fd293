/**
 * linux_arm64 on its real guest: boot the arm64 guest (Debian's arm64 kernel under
 * qemu-system-aarch64 -M virt, KASLR on, -smp 2) under `systrace run --mode entry`, and
 * compare the calls systrace decoded with the calls the test program says it made
 * (test/guest/systest.c logs them in arm64 strace notation: fork and vfork are clone there).
 * Entry at invoke_syscall (number in x1, arguments from pt_regs), returns at the user return
 * site matched by (TTBR1 ASID, sp, pc), the KASLR slide from VBAR_EL1.
 */
import t from 'tap';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { guestDir, guestReady, missingFromSubsequence, parseSystest, qemuCommand, readEvents, ROOT, run, SYSTRACE } from './guest.js';
import type { TraceEvent } from '../../src/trace/event.js';

// scripts/test.sh builds only the x86_64 guest: this test builds (or checks the cache of) its own,
// which also installs qemu-system-arm on a fresh machine.
const build = await run('bash', [join(ROOT, 'scripts', 'build-guest.sh'), 'arm64'], { timeoutMs: 780_000 });
if (build.code !== 0) t.comment(`build-guest.sh arm64 failed (${build.code}): ${build.stderr.slice(-1500)}`);
const notReady = guestReady('arm64');
if (notReady) t.fail(notReady);
else await t.test('mode entry', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'systrace-test-'));
  const traceFile = join(dir, 'trace.jsonl');
  const started = Date.now();
  const res = await run(
    process.execPath,
    [SYSTRACE, 'run', '--profile', 'linux_arm64', '--mode', 'entry', '--json', '-o', traceFile, '--symbols', join(guestDir('arm64'), 'kallsyms'), '--', ...qemuCommand('', 'arm64')],
    { timeoutMs: 600_000 },
  );
  t.comment(`traced in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  t.equal(res.code, 0, 'systrace run exits with QEMU status 0', { stderr: res.stderr.slice(-3000) });
  t.match(res.stderr, /KASLR slide -?0x[0-9a-f]+ \(from VBAR\)/, 'the KASLR slide comes from VBAR_EL1');
  const expected = parseSystest(res.stdout);
  t.ok(expected, 'the guest program printed its log', { stdout: res.stdout.slice(-2000) });
  const events = readEvents(traceFile);
  t.ok(events.length > 50, `trace has events (${events.length})`);
  t.ok(events.every((e) => e.profile === 'linux_arm64' && e.abi === 'arm64'), 'every event is of the arm64 ABI');
  const lines = events.filter((e) => e.line !== undefined).map((e) => e.line!);
  if (!expected) return;

  const tags = [...new Set(expected.lines.map((l) => l.tag))];
  t.same(tags.sort(), ['fchild', 'main', 'thread', 'vchild'], 'the log covers main, thread and both children');
  for (const tag of tags) {
    const want = expected.lines.filter((l) => l.tag === tag).map((l) => l.line);
    t.equal(missingFromSubsequence(want, lines), undefined, `every ${tag} call is traced, decoded exactly, in order (${want.length} calls)`);
  }

  t.test('execve of the test program reported = 0', async (t) => {
    t.ok(lines.some((l) => l.startsWith('execve("/bin/systest", ["/bin/systest"], 0x') && l.endsWith(') = 0')), 'execve line');
  });

  t.test('unknown syscall 1000 is reported unknown with ENOSYS', async (t) => {
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
    t.ok(readEnter.seq < writeEnter.seq && writeEnter.seq < readRet.seq, 'read entered before the write entered, and returned after it');
    t.equal(readEnter.sp, readRet.sp, 'the return came back on the reader thread stack');
    t.not(readEnter.sp, write.sp, 'reader and writer are different threads');
  });

  t.test('every return of the test program pairs with an entry', async (t) => {
    const entered = new Set(events.filter((e) => e.dir === 'enter').map((e) => e.call));
    t.same(events.filter((e) => e.dir === 'return' && !entered.has(e.call)), [], 'no return without its entry');
  });

  // arm64 has no fork/vfork: glibc's fork() is clone(SIGCHLD), vfork() clone(CLONE_VM|CLONE_VFORK|SIGCHLD).
  for (const [what, flags, childFirst] of [['fork', 'flags=SIGCHLD)', false], ['vfork', 'flags=CLONE_VM|CLONE_VFORK|SIGCHLD)', true]] as const) {
    t.test(`clone as ${what} returns in parent and child${childFirst ? ', the child first' : ''}`, async (t) => {
      const rets = events.filter((e) => e.dir === 'return' && e.name === 'clone' && e.line?.startsWith(`clone(child_stack=NULL, ${flags}`));
      // The test program's call: the first of its kind (busybox's init later forks poweroff with other flags).
      const call = rets.filter((e) => e.call === rets[0]?.call);
      t.equal(call.length, 2, `the ${what} clone returned twice`);
      const child = call.find((e) => e.child) as TraceEvent | undefined;
      const parent = call.find((e) => !e.child) as TraceEvent | undefined;
      t.equal(child?.ret, 0, 'child gets 0');
      t.ok((parent?.ret ?? 0) > 0, 'parent gets the child pid');
      if (!child || !parent) return;
      t.equal(child.retaddr, parent.retaddr, 'both return at the same user pc');
      if (childFirst) t.ok(child.seq < parent.seq, 'the vfork child returns first');
      if (what === 'fork') t.not(child.asid, parent.asid, 'the fork child returns in a new address space');
      else t.equal(child.asid, parent.asid, 'the vfork child shares the address space');
    });
  }

  t.test('exit_group never returns', async (t) => {
    const exits = events.filter((e) => e.name === 'exit_group');
    t.ok(exits.length >= 3, 'exit_group of both children and the program');
    t.ok(exits.every((e) => e.dir === 'enter' && e.noreturn && e.line?.endsWith(' = ?')), 'only entry events, = ?');
  });
});
