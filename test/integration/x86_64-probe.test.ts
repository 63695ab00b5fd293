/**
 * The probe engine (issue 10, docs/probe.md) on the x86_64 guest (KASLR on, -smp 2):
 * 1. it and the breakpoint engine trace the test program: both find every call of its own
 *    log (test/guest/systest.c) decoded exactly, name its processes, and the two traces hold
 *    the same calls of the program with the same outcomes;
 * 2. SIGINT mid-trace: systrace restores the patched bytes; a fresh debugger connection reads
 *    them back and finds the original calls (decoded against the kallsyms dump and the
 *    KASLR slide), and the guest runs on to its poweroff.
 */
import t from 'tap';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, GUEST, guestReady, missingFromSubsequence, parseSystest, qemuCommand, readEvents, run, SYSTRACE } from './guest.js';
import type { TraceEvent } from '../../src/trace/event.js';
import { GdbClient } from '../../src/gdbstub/client.js';
import { loadSystemMap } from '../../src/symbols/system-map.js';

const PIDS = new Set(['fork', 'vfork', 'clone', 'clone3', 'getpid', 'gettid', 'getppid', 'set_tid_address', 'wait4']);

/**
 * The test program's calls (its processes and threads: comm systest) as `name=outcome`,
 * sorted. A futex wait in pthread_join happens only when the thread has not exited yet: a
 * race of the guest, not of the tracer, so futex is left out.
 */
function window(events: TraceEvent[]): string[] {
  // Pointers and pids differ between boots; names, errnos, sizes and counts do not.
  const outcome = (e: TraceEvent): string =>
    e.errno ?? (e.ret === undefined ? '?' : PIDS.has(e.name) && e.ret > 0 ? 'pid' : Math.abs(e.ret) > 4096 ? 'big' : String(e.ret));
  return events
    .filter((e) => e.line !== undefined && e.comm === 'systest' && e.name !== 'futex')
    .map((e) => `${e.name}${e.child ? '(child)' : ''}=${outcome(e)}`)
    .sort();
}

const notReady = guestReady();
if (notReady) t.fail(notReady);
else {
  const traces = new Map<string, TraceEvent[]>();
  for (const engine of ['probe', 'breakpoint'] as const) {
    await t.test(`engine ${engine}: every call of the test program, decoded exactly`, async (t) => {
      const dir = mkdtempSync(join(tmpdir(), `systrace-${engine}-`));
      const traceFile = join(dir, 'trace.jsonl');
      const res = await run(process.execPath, [SYSTRACE, 'run', '--profile', 'linux_x64', '--engine', engine, '--json', '-o', traceFile, '--symbols', join(GUEST, 'kallsyms'), '--btf', join(GUEST, 'btf'), '--', ...qemuCommand()], { timeoutMs: 300_000 });
      t.equal(res.code, 0, 'systrace run exits with QEMU status 0 (the guest ran to its poweroff)', { stderr: res.stderr.slice(-3000) });
      if (engine === 'probe') {
        t.match(res.stderr, /probe: recorder at 0x[0-9a-f]+, 2 rings/, 'the recorder was placed, one ring per vCPU');
        t.notMatch(res.stderr, /warning: probe:/, 'no record lost, nothing decoded from memory the recorder missed');
        t.match(res.stderr, /; 0 records lost/, 'the closing summary counts no lost record');
      }
      const expected = parseSystest(res.stdout);
      t.ok(expected, 'the guest program printed its log', { stdout: res.stdout.slice(-2000) });
      const events = readEvents(traceFile);
      traces.set(engine, events);
      const lines = events.filter((e) => e.line !== undefined).map((e) => e.line!);
      if (!expected) return;
      const tags = [...new Set(expected.lines.map((l) => l.tag))].sort();
      t.same(tags, ['fchild', 'main', 'thread', 'vchild'], 'the log covers main, thread and both children');
      for (const tag of tags) {
        const want = expected.lines.filter((l) => l.tag === tag).map((l) => l.line);
        t.equal(missingFromSubsequence(want, lines), undefined, `every ${tag} call is traced, decoded exactly, in order (${want.length} calls)`);
      }
      const pid = expected.pid;
      t.ok(events.every((e) => typeof e.pid === 'number' && typeof e.tid === 'number' && typeof e.comm === 'string'), 'every event names its process');
      t.match(events.find((e) => e.line === `getpid() = ${pid}`), { pid, tid: pid, comm: 'systest' }, 'getpid() is made by the main thread of systest');
      const forkParent = events.find((e) => e.name === 'fork' && e.dir === 'return' && e.child !== true);
      t.match(events.find((e) => e.name === 'fork' && e.child === true), { pid: forkParent?.ret, tid: forkParent?.ret, ppid: pid, comm: 'systest' }, 'the fork child returns as the pid its parent got');
      const rets = events.filter((e) => e.dir === 'return' && e.name === 'fork');
      t.same(rets.map((e) => e.child === true).sort(), [false, true], 'fork returns in the parent and in the child');
      // The breakpoint engine's default (exit) mode sees one exit per task; the probe pairs the child with its parent's call.
      if (engine === 'probe') t.equal(new Set(rets.map((e) => e.call)).size, 1, 'both fork returns belong to one call');
    });
  }

  t.test('the two engines see the same calls with the same outcomes', async (t) => {
    const p = window(traces.get('probe') ?? []);
    const b = window(traces.get('breakpoint') ?? []);
    t.ok(p.length > 40, `the program's calls are in the probe trace (${p.length})`);
    t.same(p, b, 'same calls, same outcomes');
  });

  await t.test('SIGINT mid-trace: original bytes back, the guest runs on', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'systrace-probe-detach-'));
    const traceFile = join(dir, 'trace.jsonl');
    const port = await freePort();
    const [qemu, ...qargs] = qemuCommand('systest.mode=dd systest.count=2000000');
    let qemuOut = '';
    const q = spawn(qemu!, [...qargs, '-gdb', `tcp:127.0.0.1:${port}`, '-S'], { stdio: ['ignore', 'pipe', 'inherit'] });
    q.stdout.on('data', (d: Buffer) => (qemuOut += d.toString()));
    const qemuExit = new Promise<number | null>((r) => q.on('close', (code) => r(code)));
    await new Promise((r) => setTimeout(r, 500));
    let sent = false;
    const res = await run(process.execPath, [SYSTRACE, '--gdb', `127.0.0.1:${port}`, '--profile', 'linux_x64', '--engine', 'probe', '--json', '-o', traceFile, '--symbols', join(GUEST, 'kallsyms')], {
      timeoutMs: 300_000,
      onStart: (child) => {
        const poll = setInterval(() => {
          const n = existsSync(traceFile) ? readFileSync(traceFile, 'utf8').split('\n').length : 0;
          if (n > 2000) {
            clearInterval(poll);
            sent = true;
            child.kill('SIGINT');
          }
        }, 50);
        child.on('close', () => clearInterval(poll));
      },
    });
    t.ok(sent, 'SIGINT was sent mid-trace');
    t.equal(res.code, 0, 'systrace exits 0 after detaching', { stderr: res.stderr.slice(-2000) });
    t.match(res.stderr, /original bytes restored and checked at 4 sites/, 'systrace restored and checked every site');
    // The sites as systrace reported them: `<caller>+0x<off> -> <callee> at 0x<addr> (was <hex>)`.
    const sites = [...res.stderr.matchAll(/(\w+)\+0x([0-9a-f]+) -> (\w+) at 0x([0-9a-f]+) \(was ([0-9a-f]{10})\)/g)];
    t.equal(sites.length, 4, 'four patched sites reported');
    // The slide relative to the dump's boot: negative half of the time (`KASLR slide -0x...`).
    const m = /KASLR slide (-?)(0x[0-9a-f]+)/.exec(res.stderr);
    t.ok(m, 'systrace reports the KASLR slide it placed the symbols with');
    const slide = m ? (m[1] === '-' ? -1n : 1n) * BigInt(m[2]!) : 0n;
    const syms = loadSystemMap(join(GUEST, 'kallsyms'));
    // QEMU stops the guest when a debugger connects (its dd runs for seconds more).
    const client = await GdbClient.connect(`127.0.0.1:${port}`, { timeoutMs: 10_000 });
    try {
      await client.qSupported();
      await client.haltReason();
      for (const [, caller, off, callee, at, was] of sites) {
        const addr = BigInt('0x' + at);
        t.equal(addr, syms.lookup(caller!)! + slide + BigInt('0x' + off), `${caller}+0x${off} is where the dump and the slide put it`);
        const now = await client.readMemory(addr, 5);
        t.equal(now.toString('hex'), was, `${caller}+0x${off}: the original bytes are back`);
        const target = addr + 5n + BigInt(now.readInt32LE(1));
        t.equal(BigInt.asUintN(64, target), syms.lookup(callee!)! + slide, `${caller}+0x${off} calls ${callee} again`);
      }
      await client.detach();
    } finally {
      client.close();
    }
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), 240_000)));
    const qcode = await Promise.race([qemuExit, timeout]);
    clearTimeout(timer);
    if (qcode === 'timeout') q.kill('SIGKILL');
    t.equal(qcode, 0, 'the guest ran on to its own poweroff (QEMU exit 0)');
    t.match(qemuOut, /DD DONE/, 'the guest finished its workload after the detach');
  });
}
