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
import { join } from 'node:path';
import { checkCommon, checkLog } from './checks.js';
import { buildGuest, guestDir, qemuCommand, traceGuest } from './guest.js';
import type { TraceEvent } from '../../src/trace/event.js';

// scripts/test.sh builds only the x86_64 guest: this test builds (or checks the cache of) its own,
// which also installs qemu-system-mips and the mipsel cross compiler on a fresh machine.
const notReady = await buildGuest('mipsel', (text) => t.comment(text));
if (notReady) t.fail(notReady);
else await t.test('mode entry', async (t) => {
  const { res, events, expected, seconds } = await traceGuest(
    ['--profile', 'linux_mips', '--mode', 'entry', '--symbols', join(guestDir('mipsel'), 'kallsyms')],
    qemuCommand('', 'mipsel'),
    { timeoutMs: 600_000 },
  );
  t.comment(`traced in ${seconds.toFixed(1)} s`);
  t.equal(res.code, 0, 'systrace run exits with QEMU status 0', { stderr: res.stderr.slice(-3000) });
  t.match(res.stderr, /kernel symbols placed: KASLR slide -?0x[0-9a-f]+ \(from the pc and handle_sys's code\)/, 'the KASLR slide is found from the running kernel');
  t.match(res.stderr, /kernelsp at 0x8[0-9a-f]{7} \(from handle_sys's code\)/, "kernelsp's address is read out of handle_sys (a kseg0 address)");
  t.match(res.stderr, /breakpoint on handle_sys\+0xb0 \(after instruction 0xafa900b4\) at 0x8[0-9a-f]{7}/, 'the entry breakpoint is right after `sw t1, PT_EPC(sp)` in handle_sys');
  t.notOk(res.stderr.match(/ [1-9]\d* still pending/), 'no call left pending at the end');
  t.ok(expected, 'the guest program printed its log', { stdout: res.stdout.slice(-2000) });
  t.ok(events.length > 50, `trace has events (${events.length})`);
  t.ok(events.every((e) => e.profile === 'linux_mips' && e.abi === 'o32'), 'every event is of the o32 ABI');
  const lines = events.filter((e) => e.line !== undefined).map((e) => e.line!);
  if (!expected) return;

  checkLog(t, expected, lines);
  checkCommon(t, events, lines, {
      unknown: { no: 8000, name: 'syscall_0x1f40', ret: -89, line: 'syscall_0x1f40(0x1, 0x2, 0x3, 0x4, 0x5, 0x6, 0x7) = -1 ENOSYS (Function not implemented)' },
    threadKey: 'asid',
  });



  // 8000 is past the o32 table (4000 + n): ENOSYS, which MIPS numbers 89 (asm/errno.h).



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
    t.ok(srs.every((e) => e.dir === 'enter' && e.noreturn && /^(rt_)?sigreturn\(\{mask=~?\[[A-Z0-9_ ]*\]\}\) = (\d+|-1 E[A-Z0-9]+ \(.+\)|\? E[A-Z0-9]+ \(.+\))$/.test(e.line ?? '')), 'each one: sigreturn({mask=[...]}) = the restored value (a number, or an interrupted call\'s error)', { lines: srs.map((e) => e.line) });
  });

});
