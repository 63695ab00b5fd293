/**
 * linux_x86 on its real guest: Debian's 686 kernel under qemu-system-i386 (default qemu32
 * CPU, KASLR on, -smp 2) runs the i686 build of test/guest/systest.c, whose main thread calls
 * through the vDSO's __kernel_vsyscall (`sysenter` on this CPU: entry_SYSENTER_32 ->
 * do_SYSENTER_32 -> do_fast_syscall_32, the 6th argument on the user stack, the return at the
 * caller of the vDSO) and whose reader thread and vfork use `int $0x80` (entry_INT80_32 ->
 * do_int80_syscall_32). Traced in entry+return mode with the kallsyms dump (placed on this boot
 * by the 8-byte gates of the 32-bit IDT), where the path matters, and with nothing given: the
 * profile detected from the stub, the symbols from the kallsyms tables in guest memory, the
 * default one-stop-per-call mode at syscall_exit_to_user_mode.
 */
import t from 'tap';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildGuest, cleanEnv, guestDir, qemuCommand, traceGuest } from './guest.js';
import { checkEntryPaths, checkSystest32 } from './x86-32.js';

// scripts/test.sh builds only the x86_64 guest: this test builds (or checks the cache of) its own,
// which also installs the i686 cross compiler on a fresh machine.
const notReady = await buildGuest('i386', (text) => t.comment(text));
if (notReady) t.fail(notReady);
else {
  const symbols = join(guestDir('i386'), 'kallsyms');
  for (const mode of ['entry', 'exit'] as const) {
    await t.test(`mode ${mode}`, async (t) => {
      // Exit mode is the default, the profile is picked from the stub's target description, and
      // the symbols are the kernel's own kallsyms tables found in guest memory, starting from an
      // empty cache (not the user's ~/.cache/systrace, which an earlier run may have filled).
      const opts = mode === 'entry' ? ['--profile', 'linux_x86', '--mode', 'entry', '--symbols', symbols] : [];
      const env = mode === 'exit' ? { ...cleanEnv(), SYSTRACE_CACHE_DIR: mkdtempSync(join(tmpdir(), 'systrace-cache-')) } : undefined;
      const r = await traceGuest(opts, qemuCommand('', 'i386'), env ? { env } : {});
      t.comment(`traced in ${r.seconds.toFixed(1)} s`);
      if (mode === 'exit') {
        t.match(r.res.stderr, /profile linux_x86 \(the stub describes a i386 target/, 'linux_x86 detected from the stub');
        t.match(r.res.stderr, /kernel symbols: \d+ from guest memory/, 'symbols read from guest memory');
      } else t.match(r.res.stderr, /KASLR slide -?0x[0-9a-f]+ \(from the IDT\)/, 'the KASLR slide of the kallsyms dump comes from the IDT');
      t.ok(r.events.every((e) => e.abi === 'i386'), 'every event is of the i386 ABI');
      t.ok(
        r.events.some((e) => e.line?.startsWith('execve("/bin/systest", ["/bin/systest"], 0x') && e.line.endsWith(') = 0')),
        'execve of the test program reported = 0',
      );
      await checkSystest32(t, r, 'linux_x86', { vsyscall: 'sysenter', abi32: 'i386' });
      // busybox ash's SIGCHLD handler returns through the vDSO's __kernel_sigreturn: the old
      // sigreturn, complete at its entry with the mask and eax its frame restores.
      const srs = r.events.filter((e) => e.name === 'sigreturn');
      t.ok(srs.length > 0, `busybox's sigreturns are traced (${srs.length})`);
      t.ok(srs.every((e) => e.dir === 'enter' && e.noreturn && /^sigreturn\(\{mask=\[[A-Z0-9 ]*\]\}\) = -?\d+$/.test(e.line ?? '')), 'each complete at entry: sigreturn({mask=[...]}) = <restored eax>', { lines: srs.map((e) => e.line) });
      if (mode === 'entry') checkEntryPaths(t, r, 'do_fast_syscall_32', 'do_int80_syscall_32');
      else t.match(r.res.stderr, /one stop per call: breakpoint on syscall_exit_to_user_mode/, 'one stop per call at syscall_exit_to_user_mode');
    });
  }
}
