/**
 * The pipeline on the real x86_64 guest (issue 4's acceptance):
 * - a rules file whose `fail` rule matches (the test program opens /nonexistent/file)
 *   makes `systrace run` exit 1 and print the rule's output line;
 * - a user plugin loaded by path receives `on_sys_openat_enter` with named arguments;
 * - the same plugins on the recorded trace, replayed offline, give the same output;
 * - a `stop` rule leaves the guest paused with the stub free: a second RSP client attaches,
 *   reads the registers where the guest stopped, and its `D` lets the guest run to poweroff.
 */
import t from 'tap';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GdbClient } from '../../src/gdbstub/client.js';
import { threadNumber } from '../../src/gdbstub/stop-reply.js';
import { FIXTURES } from '../fixtures/pipeline/helpers.js';
import { freePort, GUEST, guestReady, qemuCommand, run, SYSTRACE } from './guest.js';

const ALERT = /^(Emergency|Alert|Critical|Error|Warning|Notice|Informational|Debug) \[/;
const FAIL_RULES = join(FIXTURES, 'fail-missing.rules.yaml');
const SYMBOLS = join(GUEST, 'kallsyms');

const notReady = guestReady();
if (notReady) t.fail(notReady);
else {
  const dir = mkdtempSync(join(tmpdir(), 'systrace-pipeline-guest-'));
  const plugins = join(dir, 'plugins.yaml');
  writeFileSync(plugins, `plugins:\n  - print\n  - summary\n  - count\n  - filereadmon\n  - path: ${join(FIXTURES, 'recorder.mjs')}\n    options: {tag: rec}\n  - rules\n`);
  const record = join(dir, 'record.yaml');
  const traceFile = join(dir, 'trace.jsonl');
  writeFileSync(record, `plugins:\n  - name: jsonl\n    output: ${traceFile}\n`);
  const liveOut = join(dir, 'live.txt');

  const live = await run(process.execPath, [SYSTRACE, 'run', '--config', FAIL_RULES, '--config', plugins, '--config', record, '-o', liveOut, '--symbols', SYMBOLS, '--', ...qemuCommand()], { timeoutMs: 600_000 });

  t.test('a matching fail rule: exit 1 and the rule output line', async (t) => {
    t.equal(live.code, 1, 'systrace run exits 1', { stderr: live.stderr.slice(-3000) });
    t.match(live.stderr, /^Error \[missing-file\] openat of \/nonexistent\/file failed: ENOENT \(cpu\d asid 0x[0-9a-f]+\)$/m, "the rule's output line");
    t.match(live.stderr, /systrace: the run failed: rule 'missing-file' \(action fail\) matched 1 time\n/);
    t.match(live.stdout, /SYSTEST END/, 'the guest itself ran to its end');
  });

  t.test('a user plugin from a path gets on_sys_openat_enter with named arguments', async (t) => {
    const lines = readFileSync(liveOut, 'utf8').split('\n');
    const enters = lines.filter((l) => l.startsWith('rec openat-enter ')).map((l) => JSON.parse(l.slice('rec openat-enter '.length)) as { names: string[]; filename: string; dfd: string; flags: string; pcIsBigint: boolean });
    const hostname = enters.find((e) => e.filename === '/etc/hostname');
    t.ok(hostname, 'the open of /etc/hostname reached the plugin', { enters });
    t.same(hostname?.names, ['dfd', 'filename', 'flags', 'mode'], 'arguments named as in the prototype');
    t.same([hostname?.dfd, hostname?.flags, hostname?.pcIsBigint], ['-100', 'O_RDONLY', true]);
    t.ok(lines.includes('rec openat-return /nonexistent/file = -2 ENOENT'), 'and the return of the failed open');
    t.ok(lines.some((l) => /^\[cpu\d 0x[0-9a-f]+\] openat\(AT_FDCWD, "\/etc\/hostname", O_RDONLY\) = 3$/.test(l)), 'print wrote the strace line to the same file');
    t.ok(lines.includes('% time     seconds  usecs/call     calls    errors syscall'), 'summary too');
    t.ok(lines.some((l) => /^ {2}"\/etc\/hostname" opened 1, read 1 times, 15 bytes$/.test(l)), 'filereadmon saw the test program read its hostname');
  });

  t.test('the recorded trace, replayed through the same plugins, gives the same output', async (t) => {
    const replayOut = join(dir, 'replay.txt');
    const replay = await run(process.execPath, [SYSTRACE, 'replay', traceFile, '--config', FAIL_RULES, '--config', plugins, '-o', replayOut], { timeoutMs: 120_000 });
    t.equal(replay.code, 1, 'the fail rule fails the replay too', { stderr: replay.stderr.slice(-2000) });
    const liveText = readFileSync(liveOut, 'utf8');
    t.ok(liveText.length > 10_000, `a real amount of output (${liveText.length} bytes)`);
    t.equal(readFileSync(replayOut, 'utf8'), liveText, 'print, summary, count, filereadmon and the user plugin: byte for byte');
    const alerts = (s: string) => s.split('\n').filter((l) => ALERT.test(l));
    t.same(alerts(replay.stderr), alerts(live.stderr), 'the same rule output lines');
    t.ok(alerts(live.stderr).length > 0);
  });

  t.test('stop: the guest stays paused and a second client can attach, read registers and D it', async (t) => {
    const port = await freePort();
    const [qemu, ...qargs] = qemuCommand();
    let console = '';
    const q = spawn(qemu!, [...qargs, '-gdb', `tcp:127.0.0.1:${port}`, '-S'], { stdio: ['ignore', 'pipe', 'inherit'] });
    q.stdout.on('data', (d: Buffer) => (console += d.toString()));
    let qemuDone = false;
    const qemuExit = new Promise<number | null>((r) => q.on('close', (code) => { qemuDone = true; r(code); }));
    try {
      await new Promise((r) => setTimeout(r, 500));
      const cfg = join(dir, 'stop.yaml');
      writeFileSync(cfg, 'plugins: [rules]\nrules:\n  - rule: pause-at-hostname\n    condition: syscall.name = openat and evt.dir = return and arg.filename = /etc/hostname\n    output: "paused at pc=%evt.pc cpu=%cpu"\n    action: stop\n');
      const res = await run(process.execPath, [SYSTRACE, '--gdb', `127.0.0.1:${port}`, '--symbols', SYMBOLS, '--config', cfg], { timeoutMs: 300_000 });
      t.equal(res.code, 0, 'systrace exits 0 after the stop', { stderr: res.stderr.slice(-2000) });
      const m = /^Warning \[pause-at-hostname\] paused at pc=(0x[0-9a-f]+) cpu=(\d+)$/m.exec(res.stderr);
      t.ok(m, "the stop rule's output line");
      t.match(res.stderr, /the guest is paused and the stub is free/);
      t.notMatch(res.stderr, /detached; the guest runs on/);

      await new Promise((r) => setTimeout(r, 3000));
      t.equal(qemuDone, false, 'QEMU is still there');
      t.notMatch(console, /SYSTEST END/, 'the guest did not run on: the test program never finished');

      const client = await GdbClient.connect(`127.0.0.1:${port}`, { timeoutMs: 10_000 });
      await client.qSupported();
      t.ok(await client.readTargetDescription(), 'a second client attaches');
      const halt = await client.haltReason();
      t.equal(halt.kind, 'signal', 'the guest is stopped');
      const threads = await client.threads();
      const vcpu = threads.find((th) => threadNumber(th) - 1 === Number(m?.[2]));
      t.ok(vcpu, `vCPU ${m?.[2]} is there (${threads.join(', ')})`);
      await client.selectThread(vcpu!);
      const rip = await client.readRegister('rip');
      t.equal('0x' + rip.toString(16), m?.[1], 'that vCPU is still where the rule stopped it');
      await client.detach();
      client.close();

      let timer: NodeJS.Timeout | undefined;
      const code = await Promise.race([qemuExit, new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), 240_000)))]);
      clearTimeout(timer);
      t.equal(code, 0, "after the second client's D the guest runs to its poweroff");
      t.match(console, /SYSTEST END/, 'and the test program finished');
    } finally {
      if (!qemuDone) q.kill('SIGKILL');
    }
  });
}
