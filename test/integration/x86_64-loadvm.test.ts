/**
 * `systrace run --loadvm TAG`: the guest starts from a VM snapshot saved in a qcow2 disk
 * (made here with qemu-img and HMP savevm through the stub's monitor), not from boot; with
 * --no-snapshot the image is used in place. Selective tracing keeps the guest's dd loop at
 * full speed; its final poweroff is traced.
 */
import t from 'tap';
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GdbClient } from '../../src/gdbstub/client.js';
import { GUEST, guestReady, qemuCommand, readEvents, run, SYSTRACE } from './guest.js';

const notReady = guestReady();
if (notReady) t.fail(notReady);
else {
  const dir = mkdtempSync(join(tmpdir(), 'systrace-loadvm-'));
  const disk = join(dir, 'disk.qcow2');
  execFileSync('qemu-img', ['create', '-q', '-f', 'qcow2', disk, '16M']);
  const drive = ['-drive', `file=${disk},if=none,id=d0,format=qcow2`];
  const [qemu, ...qargs] = qemuCommand('systest.mode=dd systest.count=3000000');

  await t.test('a snapshot taken mid-workload', async (t) => {
    const sock = join(dir, 'gdb.sock');
    let out = '';
    const q = spawn(qemu!, [...qargs, ...drive, '-gdb', `unix:${sock},server=on,wait=off`, '-S'], { stdio: ['ignore', 'pipe', 'inherit'] });
    q.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise((r) => q.on('close', r));
    await new Promise((r) => setTimeout(r, 500));
    const c = await GdbClient.connect(sock);
    await c.qSupported();
    await c.continue();
    const deadline = Date.now() + 120_000;
    while (!out.includes('SYSTEST END') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 300)); // into the dd loop
    c.interrupt();
    await c.waitStop();
    t.match(out, /SYSTEST END/, 'the test program ran before the snapshot');
    t.notMatch(out, /DD DONE/, 'dd is still running');
    const reply = await c.monitor('savevm snap1');
    t.notMatch(reply, /Error/i, `savevm: ${reply.trim() || 'ok'}`);
    q.kill('SIGKILL');
    await exited;
    t.match(execFileSync('qemu-img', ['snapshot', '-l', disk]).toString(), /snap1/, 'the image holds snap1');
  });

  await t.test('run --loadvm resumes the guest there and traces it', async (t) => {
    const traceFile = join(dir, 'trace.jsonl');
    const res = await run(
      process.execPath,
      [SYSTRACE, 'run', '--loadvm', 'snap1', '--no-snapshot', '--json', '-o', traceFile, '--symbols', join(GUEST, 'kallsyms'), '-e', 'trace=reboot,execve,getppid', '--', qemu!, ...qargs, ...drive],
      { timeoutMs: 300_000 },
    );
    t.equal(res.code, 0, 'exit 0 (QEMU status)', { stderr: res.stderr.slice(-2000) });
    t.notMatch(res.stdout, /SYSTEST BEGIN/, 'no boot: the test program does not run again');
    t.match(res.stdout, /DD DONE/, 'the dd loop finishes from where the snapshot left it');
    const lines = readEvents(traceFile).map((e) => e.line).filter(Boolean);
    t.ok(lines.some((l) => l!.startsWith('execve("/proc/self/exe", ["poweroff", "-f"]')), 'the poweroff is traced');
    t.ok(lines.some((l) => l!.startsWith('reboot(')), 'and its reboot call');
    t.match(execFileSync('qemu-img', ['snapshot', '-l', disk]).toString(), /snap1/, '--no-snapshot used the image in place, snapshot kept');
  });
}
