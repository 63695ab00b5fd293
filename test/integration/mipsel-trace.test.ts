/**
 * linux_mips on its real guest: boot the mipsel guest (Debian's 4kc-malta kernel under
 * qemu-system-mipsel -M malta, KASLR on, one vCPU) under `systrace run --mode entry`, and
 * compare the calls systrace decoded with the calls the test program says it made
 * (test/guest/systest.c logs them in strace's mips o32 notation).
 * QEMU's MIPS stub sends no target.xml (the profile's built-in mips32 layout) and answers no `p`
 * packets; the KASLR slide comes from the kernel-mode pc and handle_sys's code; the entry is
 * right after handle_sys stores EPC+4 into pt_regs; arguments 5-8 come from the user stack; a
 * return is v0 with the a3 error flag; calls are keyed by kernelsp[cpu] (the task's kernel stack).
 */
import t from 'tap';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { guestDir, guestReady, missingFromSubsequence, parseSystest, qemuCommand, readEvents, ROOT, run, SYSTRACE } from './guest.js';
import type { TraceEvent } from '../../src/trace/event.js';

// scripts/test.sh builds only the x86_64 guest: this test builds (or checks the cache of) its own,
// which also installs qemu-system-mips and the mipsel cross compiler on a fresh machine.
const build = await run('bash', [join(ROOT, 'scripts', 'build-guest.sh'), 'mipsel'], { timeoutMs: 780_000 });
if (build.code !== 0) t.comment(`build-guest.sh mipsel failed (${build.code}): ${build.stderr.slice(-1500)}`);
const notReady = guestReady('mipsel');
if (notReady) t.fail(notReady);
else await t.test('mode entry', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'systrace-test-'));
  const traceFile = join(dir, 'trace.jsonl');
  const started = Date.now();
  const res = await run(
    process.execPath,
    [SYSTRACE, 'run', '--profile', 'linux_mips', '--mode', 'entry', '--json', '-o', traceFile, '--symbols', join(guestDir('mipsel'), 'kallsyms'), '--', ...qemuCommand('', 'mipsel')],
    { timeoutMs: 600_000 },
  );
  t.comment(`traced in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  t.equal(res.code, 0, 'systrace run exits with QEMU status 0', { stderr: res.stderr.slice(-3000) });
  t.match(res.stderr, /kernel symbols placed: KASLR slide 0x[0-9a-f]+ \(from the pc and handle_sys's code\)/, 'the KASLR slide is found from the running kernel');
  t.match(res.stderr, /kernelsp at 0x8[0-9a-f]{7} \(from handle_sys's code\)/, "kernelsp's address is read out of handle_sys (a kseg0 address)");
  t.match(res.stderr, /breakpoint on handle_sys\+0xb0 \(after instruction 0xafa900b4\) at 0x8[0-9a-f]{7}/, 'the entry breakpoint is right after `sw t1, PT_EPC(sp)` in handle_sys');
  t.notOk(res.stderr.match(/ [1-9]\d* still pending/), 'no call left pending at the end');
  const expected = parseSystest(res.stdout);
  t.ok(expected, 'the guest program printed its log', { stdout: res.stdout.slice(-2000) });
  const events = readEvents(traceFile);
  t.ok(events.length > 50, `trace has events (${events.length})`);
  t.ok(events.every((e) => e.profile === 'linux_mips' && e.abi === 'o32'), 'every event is of the o32 ABI');
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

  t.test('a failing call carries its errno (a3 set, the positive errno in v0)', async (t) => {
    const ev = events.find((e) => e.dir === 'return' && e.name === 'openat' && e.line?.includes('"/nonexistent/file"'));
    t.equal(ev?.ret, -2);
    t.equal(ev?.errno, 'ENOENT');
  });

  // 8000 is past the o32 table (4000 + n): ENOSYS, which MIPS numbers 89 (asm/errno.h).
  t.test('unknown syscall 8000 is reported unknown with ENOSYS, its 7 arguments from registers and stack', async (t) => {
    const ev = events.find((e) => e.dir === 'return' && e.no === 8000);
    t.ok(ev, 'a return event for number 8000');
    t.equal(ev?.unknown, true);
    t.equal(ev?.name, 'syscall_0x1f40');
    t.equal(ev?.errno, 'ENOSYS');
    t.equal(ev?.ret, -89);
    t.equal(ev?.line, 'syscall_0x1f40(0x1, 0x2, 0x3, 0x4, 0x5, 0x6, 0x7) = -1 ENOSYS (Function not implemented)');
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
    t.equal(readEnter.asid, readRet.asid, 'with the reader thread key (kernelsp) at entry and at return');
    t.not(readEnter.asid, write.asid, 'reader and writer are different threads (different kernel stacks)');
  });

  t.test('every return of the test program pairs with an entry', async (t) => {
    const entered = new Set(events.filter((e) => e.dir === 'enter').map((e) => e.call));
    t.same(events.filter((e) => e.dir === 'return' && !entered.has(e.call)), [], 'no return without its entry');
  });

  // systest.c: fork() is fork (4002); vfork is clone(CLONE_VM|CLONE_VFORK|SIGCHLD) on mips.
  for (const [what, prefix, childFirst] of [['fork', 'fork() = ', false], ['vfork', 'clone(child_stack=NULL, flags=CLONE_VM|CLONE_VFORK|SIGCHLD) = ', true]] as const) {
    t.test(`${what} returns in parent and child${childFirst ? ', the child first' : ''}`, async (t) => {
      const rets = events.filter((e) => e.dir === 'return' && e.line?.startsWith(prefix));
      const call = rets.filter((e) => e.call === rets[0]?.call);
      t.equal(call.length, 2, `the ${what} returned twice`);
      const child = call.find((e) => e.child) as TraceEvent | undefined;
      const parent = call.find((e) => !e.child) as TraceEvent | undefined;
      t.equal(child?.ret, 0, 'child gets 0');
      t.ok((parent?.ret ?? 0) > 0, 'parent gets the child pid');
      if (!child || !parent) return;
      t.equal(child.retaddr, parent.retaddr, 'both return at the same user pc (EPC + 4)');
      if (childFirst) t.ok(child.seq < parent.seq, 'the vfork child returns first');
      t.not(child.asid, parent.asid, 'the child returns on its own kernel stack');
    });
  }

  // busybox ash (the guest's /init) handles SIGCHLD: glibc's o32 restorer for a handler without
  // SA_SIGINFO is sigreturn (4119), whose frame (struct sigframe) is at the user sp.
  t.test('sigreturn completes at its entry with the mask and v0 its frame restores', async (t) => {
    const srs = events.filter((e) => e.name === 'sigreturn' || e.name === 'rt_sigreturn');
    t.ok(srs.length >= 1, `busybox's SIGCHLD handlers returned through sigreturn (${srs.length})`);
    t.ok(srs.every((e) => e.dir === 'enter' && e.noreturn && /^(rt_)?sigreturn\(\{mask=\[[A-Z0-9_ ]*\]\}\) = \d+$/.test(e.line ?? '')), 'each one: sigreturn({mask=[...]}) = value', { lines: srs.map((e) => e.line) });
  });

  t.test('exit_group never returns', async (t) => {
    const exits = events.filter((e) => e.name === 'exit_group');
    t.ok(exits.length >= 3, 'exit_group of both children and the program');
    t.ok(exits.every((e) => e.dir === 'enter' && e.noreturn && e.line?.endsWith(' = ?')), 'only entry events, = ?');
  });
});
