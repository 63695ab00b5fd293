/**
 * 32-bit programs on the x86_64 kernel (linux_x64's i386 ABI): the bundled x86_64 guest boots
 * with systest.mode=test32 and runs the i686 build of test/guest/systest.c. Two CPU models:
 * QEMU's default qemu64 reports AMD, so the 32-bit vDSO enters with `syscall`
 * (entry_SYSCALL_compat, argument 2 moved to ebp) and Meltdown needs no page-table isolation;
 * `-cpu qemu64,vendor=GenuineIntel` makes it `sysenter` (entry_SYSENTER_compat ->
 * do_SYSENTER_32) and turns page-table isolation on, so the user CR3 differs from the
 * kernel's (the profile's asid_mask keeps the two equal). Both vDSO paths meet at
 * do_fast_syscall_32, `int $0x80` at do_int80_emulation. Each model is traced in entry+return
 * mode and in the default one-stop-per-call mode, where syscall_exit_to_user_mode tells the
 * 32-bit calls by their user code segment (0x23); and once with -e trace= (selective mode, at
 * the calls' ia32 handlers).
 */
import t from 'tap';
import { join } from 'node:path';
import { buildGuest, guestDir, qemuCommand, traceGuest } from './guest.js';
import { checkEntryPaths, checkSystest32, matchInOrder } from './x86-32.js';

// scripts/test.sh builds the x86_64 guest; this checks its cache (and builds /bin/systest32,
// with the i686 cross compiler, where it is missing).
const notReady = await buildGuest('x86_64', (text) => t.comment(text));
if (notReady) t.fail(notReady);
else {
  const symbols = join(guestDir('x86_64'), 'kallsyms');
  const cpus = [
    { name: 'qemu64 (AMD)', args: [] as string[], vendor: 'AuthenticAMD', vsyscall: 'syscall', meltdown: 'Not affected' },
    { name: 'qemu64,vendor=GenuineIntel', args: ['-cpu', 'qemu64,vendor=GenuineIntel'], vendor: 'GenuineIntel', vsyscall: 'sysenter', meltdown: 'Mitigation: PTI' },
  ];
  for (const cpu of cpus) {
    for (const mode of ['exit', 'entry'] as const) {
      await t.test(`${cpu.name}, mode ${mode}`, async (t) => {
        const [qemu, ...rest] = qemuCommand('systest.mode=test32');
        const r = await traceGuest(['--profile', 'linux_x64', '--mode', mode, '--symbols', symbols], [qemu!, ...cpu.args, ...rest]);
        t.comment(`traced in ${r.seconds.toFixed(1)} s`);
        t.match(r.res.stdout, new RegExp(`vendor_id\\s*:\\s*${cpu.vendor}`), `the guest CPU reports ${cpu.vendor}`);
        t.match(r.res.stdout, new RegExp(`^MELTDOWN ${cpu.meltdown}\\r?$`, 'm'), `Meltdown: ${cpu.meltdown}`);
        t.ok(r.events.every((e) => e.abi === 'x64' || e.abi === 'i386'), 'events are of the x64 or the i386 ABI');
        t.ok(!/32-bit system calls seen|they are skipped/.test(r.res.stderr), 'no 32-bit call is skipped');
        const exec = r.events.find((e) => e.dir === 'return' && e.line?.startsWith('execve("/bin/systest32", ["/bin/systest32"], 0x'));
        t.ok(exec?.line?.endsWith(') = 0'), 'execve of the 32-bit program reported = 0');
        t.equal(exec?.abi, 'x64', 'by the 64-bit shell, through the 64-bit ABI');
        await checkSystest32(t, r, 'linux_x64', { vsyscall: cpu.vsyscall, abi32: 'i386' });
        if (mode === 'entry') checkEntryPaths(t, r, 'do_fast_syscall_32', 'do_int80_emulation');
        t.test('calls keep one address space from entry to return (CR3 normalised)', async (t) => {
          // The program's own calls: their entries (kernel CR3) and returns (user CR3 in entry
          // mode) carry one asid, and the main thread's calls all the same one.
          const main = r.events.filter((e) => e.abi === 'i386' && !e.child && (e.name === 'getpid' || e.name === 'pipe2' || e.name === 'wait4'));
          t.ok(main.length >= 6, `main thread calls found (${main.length})`);
          t.equal(new Set(main.map((e) => e.asid)).size, 1, 'one asid for all of them');
        });
      });
    }
  }

  // -e trace=: the handlers of the selected calls, 32-bit ones too (getpid, fork and vfork take
  // no arguments: their __ia32_sys_ and __x64_sys_ handlers are one function, told apart by CS).
  const selected = ['openat', 'read', 'write', 'pipe2', 'getpid', 'fork', 'vfork', 'exit_group'];
  await t.test(`qemu64 (AMD), -e trace=${selected.join(',')}`, async (t) => {
    const r = await traceGuest(['--profile', 'linux_x64', '-e', `trace=${selected.join(',')}`, '--symbols', symbols], qemuCommand('systest.mode=test32'));
    t.comment(`traced in ${r.seconds.toFixed(1)} s`);
    t.equal(r.res.code, 0, 'systrace run exits with QEMU status 0', { stderr: r.res.stderr.slice(-3000) });
    t.ok(r.expected, 'the guest program printed its log');
    t.ok(r.events.every((e) => selected.includes(e.name)), 'only the selected calls');
    t.ok(r.events.some((e) => e.abi === 'x64'), 'calls of the 64-bit busybox too');
    const i386 = r.events.filter((e) => e.abi === 'i386' && e.line !== undefined);
    for (const tag of ['main', 'thread', 'fchild', 'vchild']) {
      const want = (r.expected?.lines ?? []).filter((l) => l.tag === tag && selected.includes(l.line.replace(/\(.*/, ''))).map((l) => l.line);
      const m = matchInOrder(want, i386);
      t.notOk('missing' in m && m.missing, `the selected ${tag} calls, of the i386 ABI, decoded exactly, in order (${want.length})`);
    }
  });
}
