/**
 * Ctrl-C mid-trace: systrace removes its breakpoints and detaches, and the guest runs on to
 * its own poweroff. A breakpoint left behind would stop the guest with nobody to resume it,
 * and QEMU would never exit: the test would time out.
 */
import t from 'tap';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, GUEST, guestReady, qemuCommand, run, SYSTRACE } from './guest.js';

const notReady = guestReady();
if (notReady) t.fail(notReady);
else {
  const dir = mkdtempSync(join(tmpdir(), 'systrace-detach-'));
  const traceFile = join(dir, 'trace.jsonl');
  const port = await freePort();
  const [qemu, ...qargs] = qemuCommand('systest.mode=dd systest.count=4000');
  let qemuOut = '';
  const q = spawn(qemu!, [...qargs, '-gdb', `tcp:127.0.0.1:${port}`, '-S'], { stdio: ['ignore', 'pipe', 'inherit'] });
  q.stdout.on('data', (d: Buffer) => (qemuOut += d.toString()));
  const qemuExit = new Promise<number | null>((r) => q.on('close', (code) => r(code)));
  await new Promise((r) => setTimeout(r, 500));

  let sentAt = 0;
  const res = await run(process.execPath, [SYSTRACE, '--gdb', `127.0.0.1:${port}`, '--json', '-o', traceFile, '--symbols', join(GUEST, 'kallsyms')], {
    timeoutMs: 300_000,
    onStart: (child) => {
      // Interrupt once the trace is well under way (inside the dd loop or the test program).
      const poll = setInterval(() => {
        const n = existsSync(traceFile) ? readFileSync(traceFile, 'utf8').split('\n').length : 0;
        if (n > 120) {
          clearInterval(poll);
          sentAt = Date.now();
          child.kill('SIGINT');
        }
      }, 100);
      child.on('close', () => clearInterval(poll));
    },
  });
  t.ok(sentAt > 0, 'SIGINT was sent mid-trace');
  t.equal(res.code, 0, 'systrace exits 0 after detaching', { stderr: res.stderr.slice(-2000) });
  t.match(res.stderr, /detached; the guest runs on/, 'says it detached');
  const lines = readFileSync(traceFile, 'utf8').split('\n').filter((l) => l !== '');
  t.ok(lines.every((l) => { try { JSON.parse(l); return true; } catch { return false; } }), `every JSONL line is whole (${lines.length})`);

  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), 240_000)));
  const qcode = await Promise.race([qemuExit, timeout]);
  clearTimeout(timer);
  if (qcode === 'timeout') q.kill('SIGKILL');
  t.equal(qcode, 0, 'the guest ran on to its own poweroff (QEMU exit 0)');
  t.match(qemuOut, /DD DONE/, 'the guest finished its workload after the detach');
}
