/**
 * Faults mid-trace on the real guest: the stub killed, SIGTERM, a closed output pipe. Output
 * stays whole JSONL lines, exit codes are the documented ones, no stack trace reaches the
 * user, and where the stub still lives the guest runs on.
 */
import t from 'tap';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cleanEnv, freePort, GUEST, guestReady, qemuCommand, run, SYSTRACE } from './guest.js';

function lineCount(file: string): number {
  return existsSync(file) ? readFileSync(file, 'utf8').split('\n').length - 1 : 0;
}

function wholeJsonLines(file: string): boolean {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .every((l) => {
      try {
        JSON.parse(l);
        return true;
      } catch {
        return false;
      }
    });
}

/** Starts the guest paused with a TCP gdbstub and traces it; `act` fires after `after` lines. */
async function traceWith(extraAppend: string, after: number, act: (systrace: number, qemuPid: number) => void) {
  const dir = mkdtempSync(join(tmpdir(), 'systrace-fault-'));
  const traceFile = join(dir, 'trace.jsonl');
  const port = await freePort();
  const [qemu, ...qargs] = qemuCommand(extraAppend);
  let qemuOut = '';
  const q = spawn(qemu!, [...qargs, '-gdb', `tcp:127.0.0.1:${port}`, '-S'], { stdio: ['ignore', 'pipe', 'ignore'] });
  q.stdout.on('data', (d: Buffer) => (qemuOut += d.toString()));
  const qemuExit = new Promise<number | null>((r) => q.on('close', (code) => r(code)));
  await new Promise((r) => setTimeout(r, 400));
  const res = await run(process.execPath, [SYSTRACE, '--gdb', `127.0.0.1:${port}`, '--json', '-o', traceFile, '--symbols', join(GUEST, 'kallsyms')], {
    timeoutMs: 240_000,
    onStart: (child) => {
      const poll = setInterval(() => {
        if (lineCount(traceFile) > after) {
          clearInterval(poll);
          act(child.pid!, q.pid!);
        }
      }, 50);
      child.on('close', () => clearInterval(poll));
    },
  });
  let timer: NodeJS.Timeout | undefined;
  const qcode = await Promise.race([qemuExit, new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), 120_000)))]);
  clearTimeout(timer);
  if (qcode === 'timeout') q.kill('SIGKILL');
  return { res, traceFile, qcode, qemuOut: () => qemuOut };
}

const notReady = guestReady();
if (notReady) t.fail(notReady);
else {
  await t.test('the stub killed mid-trace: one-line error, exit 3, whole lines', async (t) => {
    const { res, traceFile } = await traceWith('', 60, (_s, qemuPid) => process.kill(qemuPid, 'SIGKILL'));
    t.equal(res.code, 3, 'exit code 3 (stub lost)');
    t.match(res.stderr, /systrace: lost the GDB stub: /, 'says the stub was lost');
    t.notMatch(res.stderr, /\n\s+at /, 'no stack trace');
    t.ok(lineCount(traceFile) > 60 && wholeJsonLines(traceFile), 'the output written so far is whole JSONL lines');
  });

  await t.test('SIGTERM: detach, the guest runs on to its poweroff', async (t) => {
    const { res, traceFile, qcode, qemuOut } = await traceWith('systest.mode=dd systest.count=3000', 100, (pid) => process.kill(pid, 'SIGTERM'));
    t.equal(res.code, 0, 'systrace exits 0 after detaching', { stderr: res.stderr.slice(-1500) });
    t.match(res.stderr, /detached; the guest runs on/);
    t.ok(wholeJsonLines(traceFile), 'whole JSONL lines');
    t.equal(qcode, 0, 'QEMU exits 0 by itself');
    t.match(qemuOut(), /DD DONE/, 'the guest finished its workload');
  });

  await t.test('a closed output pipe does not crash the trace', async (t) => {
    const [qemu, ...qargs] = qemuCommand();
    const child = spawn(process.execPath, [SYSTRACE, 'run', '-q', '-o', '/dev/stdout', '--symbols', join(GUEST, 'kallsyms'), '--', qemu!, ...qargs], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: cleanEnv(),
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    // Read one chunk, then close our end: later writes hit EPIPE.
    child.stdout.once('data', () => child.stdout.destroy());
    const code = await new Promise<number | null>((r) => child.on('close', (c) => r(c)));
    t.equal(code, 0, 'the run completes with QEMU status 0', { stderr: stderr.slice(-1500) });
    t.notMatch(stderr, /internal error|\n\s+at /, 'no crash');
  });
}
