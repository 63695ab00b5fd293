/** The strace style flags on the command line: what they refuse and what they say. */
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { ROOT, cleanEnv } from '../integration/guest.js';

function systrace(...args: string[]): { code: number | null; stderr: string } {
  const r = spawnSync(process.execPath, [join(ROOT, 'bin', 'systrace'), ...args], { encoding: 'utf8', env: cleanEnv(), timeout: 30_000 });
  return { code: r.status, stderr: r.stderr };
}

t.test('-T selects entry events and says so; with --mode exit it is refused', async (t) => {
  const a = systrace('--gdb', '/nonexistent.sock', '--profile', 'linux_x64', '-T');
  t.match(a.stderr, /-T needs entry events: tracing in --mode entry/);
  t.equal(a.code, 2, 'then fails on the missing stub');
  const b = systrace('--gdb', '/nonexistent.sock', '--profile', 'linux_x64', '-T', '--mode', 'exit');
  t.equal(b.code, 2);
  t.match(b.stderr, /-T needs entry events: it cannot be used with --mode exit/);
});

t.test('-e: classes, status=failed, and what is refused', async (t) => {
  const a = systrace('--gdb', '/nonexistent.sock', '--profile', 'linux_x64', '-e', 'trace=%bogus');
  t.equal(a.code, 2);
  t.match(a.stderr, /unknown class '%bogus'/);
  const b = systrace('--gdb', '/nonexistent.sock', '--profile', 'linux_x64', '-e', 'status=bogus');
  t.equal(b.code, 2);
  t.match(b.stderr, /-e expects trace=NAME\|%CLASS\[,\.\.\.\] or status=failed/);
  const c = systrace('--gdb', '/nonexistent.sock', '--profile', 'linux_x64', '-e', 'trace=%network', '-e', 'status=failed');
  t.equal(c.code, 2, 'both accepted; fails later, on the missing stub');
  t.match(c.stderr, /cannot reach the GDB stub/);
});

t.test('-X takes raw, abbrev or verbose', async (t) => {
  const a = systrace('--gdb', '/nonexistent.sock', '--profile', 'linux_x64', '-X', 'bogus');
  t.equal(a.code, 2);
  t.match(a.stderr, /-X.*bogus|bogus.*-X/);
});
