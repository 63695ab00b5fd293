/**
 * linux_arm64 on its real guest: boot the arm64 guest (Debian's arm64 kernel under
 * qemu-system-aarch64 -M virt, KASLR on, -smp 2) under `systrace run --mode entry`, and
 * compare the calls systrace decoded with the calls the test program says it made
 * (test/guest/systest.c logs them in arm64 strace notation: fork and vfork are clone there).
 * Entry at invoke_syscall (number in x1, arguments from pt_regs), returns at the user return
 * site matched by (TTBR1 ASID, sp, pc), the KASLR slide from VBAR_EL1.
 */
import t from 'tap';
import { join } from 'node:path';
import { checkCommon, checkLog } from './checks.js';
import { buildGuest, guestDir, qemuCommand, traceGuest } from './guest.js';
import type { TraceEvent } from '../../src/trace/event.js';

// scripts/test.sh builds only the x86_64 guest: this test builds (or checks the cache of) its own,
// which also installs qemu-system-arm on a fresh machine.
const notReady = await buildGuest('arm64', (text) => t.comment(text));
if (notReady) t.fail(notReady);
else await t.test('mode entry', async (t) => {
  const { res, events, expected, seconds } = await traceGuest(
    ['--profile', 'linux_arm64', '--mode', 'entry', '--symbols', join(guestDir('arm64'), 'kallsyms')],
    qemuCommand('', 'arm64'),
    { timeoutMs: 600_000 },
  );
  t.comment(`traced in ${seconds.toFixed(1)} s`);
  t.equal(res.code, 0, 'systrace run exits with QEMU status 0', { stderr: res.stderr.slice(-3000) });
  t.match(res.stderr, /KASLR slide -?0x[0-9a-f]+ \(from VBAR\)/, 'the KASLR slide comes from VBAR_EL1');
  t.ok(expected, 'the guest program printed its log', { stdout: res.stdout.slice(-2000) });
  t.ok(events.length > 50, `trace has events (${events.length})`);
  t.ok(events.every((e) => e.profile === 'linux_arm64' && e.abi === 'arm64'), 'every event is of the arm64 ABI');
  const lines = events.filter((e) => e.line !== undefined).map((e) => e.line!);
  if (!expected) return;

  checkLog(t, expected, lines);
  checkCommon(t, events, lines, { unknown: { no: 1000, name: 'syscall_0x3e8', ret: -38 } });





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

});
