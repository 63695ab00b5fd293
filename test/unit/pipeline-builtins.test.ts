/**
 * The built-in plugins on small event sequences and on a real recorded trace: print
 * (strace text), jsonl, summary (strace -c), count, filereadmon, and the rules actions.
 */
import t from 'tap';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildPipeline } from '../../src/pipeline/loader.js';
import { readTrace, replayTrace } from '../../src/pipeline/replay.js';
import { formatSummary } from '../../src/pipeline/plugins/summary.js';
import type { TraceEvent } from '../../src/trace/event.js';
import { FIXTURES, ev, linux, openat, tmp, write } from '../fixtures/pipeline/helpers.js';

const dir = tmp();
const TRACE = join(FIXTURES, 'guest-entry.jsonl');

/** Runs `events` through the config text; returns the -o file's lines and the run state. */
async function run(config: string, events: TraceEvent[] | string, name = 'c.yaml') {
  const out = join(dir, `${name}.out`);
  const built = await buildPipeline({ ...linux(), configs: [write(dir, name, config)], output: out, prefix: true, live: false });
  await built.pipeline.start();
  if (typeof events === 'string') await replayTrace(events, built.pipeline);
  else for (const e of events) built.pipeline.dispatch(e);
  await built.pipeline.end();
  await built.outputs.end();
  return { lines: readFileSync(out, 'utf8').split('\n').slice(0, -1), state: built.state };
}

t.test('formatSummary: strace -c columns, blank errors, sorted by time, total', async (t) => {
  t.same(formatSummary([
    { name: 'read', usecs: 1500, calls: 3, errors: 0 },
    { name: 'openat', usecs: 4500, calls: 2, errors: 1 },
    { name: 'close', usecs: 0, calls: 1, errors: 0 },
  ]), [
    '% time     seconds  usecs/call     calls    errors syscall',
    '------ ----------- ----------- --------- --------- ----------------',
    ' 75.00    0.004500        2250         2         1 openat',
    ' 25.00    0.001500         500         3           read',
    '  0.00    0.000000           0         1           close',
    '------ ----------- ----------- --------- --------- ----------------',
    '100.00    0.006000        1000         6         1 total',
  ]);
});

t.test('summary: enter to return time, errors, a fork counted once, noreturn calls', async (t) => {
  const { lines } = await run('plugins: [summary]\n', [
    ev('openat', [], { call: 1, ts: 100 }),
    ev('openat', [], { call: 1, ts: 100.25, dir: 'return', ret: -2, errno: 'ENOENT' }),
    ev('fork', [], { call: 2, ts: 101 }),
    ev('fork', [], { call: 2, ts: 101.5, dir: 'return', ret: 0, child: true }),
    ev('fork', [], { call: 2, ts: 101.75, dir: 'return', ret: 92 }),
    ev('exit_group', [], { call: 3, ts: 102, noreturn: true }),
  ]);
  t.same(lines.slice(2, 5), [
    ' 75.00    0.750000      750000         1           fork',
    ' 25.00    0.250000      250000         1         1 openat',
    '  0.00    0.000000           0         1           exit_group',
  ]);
  t.equal(lines[6], '100.00    1.000000      333333         3         1 total');
});

t.test('count: completed calls by syscall.name or any field', async (t) => {
  const events = [
    openat('/a', { call: 1 }), openat('/a', { call: 1, dir: 'return', ret: -2, errno: 'ENOENT' }),
    openat('/b', { call: 2 }), openat('/b', { call: 2, dir: 'return', ret: 3 }),
    ev('read', [], { call: 3, dir: 'return', ret: 1 }),
    ev('exit', [], { call: 4, noreturn: true }),
  ];
  t.same((await run('plugins: [count]\n', events)).lines, ['    calls syscall.name', '        2 openat', '        1 exit', '        1 read']);
  t.same((await run('plugins:\n  - name: count\n    options: {by: errno}\n', events)).lines, ['    calls errno', '        3 <NA>', '        1 ENOENT']);
  t.same((await run('plugins:\n  - name: count\n    options: {by: arg.filename}\n', events)).lines, ['    calls arg.filename', '        2 <NA>', '        1 /a', '        1 /b']);
  await t.rejects(run('plugins:\n  - name: count\n    options: {by: nonsense}\n', events), /c\.yaml:2:11: plugin count: option by: unknown field 'nonsense'/);
});

t.test('filereadmon: files opened and read, per address space', async (t) => {
  const A = { asid: '0x1000' };
  const B = { asid: '0x2000' };
  const { lines } = await run('plugins: [filereadmon]\n', [
    openat('/etc/hostname', { ...A, dir: 'return', ret: 3 }),
    ev('read', [['fd', 3, '3']], { ...A, dir: 'return', ret: 15 }),
    ev('read', [['fd', 3, '3']], { ...A, dir: 'return', ret: 0 }),
    ev('read', [['fd', 3, '3']], { ...B, dir: 'return', ret: 99 }),
    ev('close', [['fd', 3, '3']], { ...A, dir: 'return', ret: 0 }),
    ev('read', [['fd', 3, '3']], { ...A, dir: 'return', ret: 7 }),
    openat('/nonexistent/file', { ...A, dir: 'return', ret: -2, errno: 'ENOENT' }),
    ev('open', [['filename', 0x1000, '"/etc/passwd"'], ['flags', 0, 'O_RDONLY'], ['mode', 0]], { ...B, dir: 'return', ret: 4 }),
    ev('pread64', [['fd', 4, '4']], { ...B, dir: 'return', ret: 100 }),
  ]);
  t.same(lines, [
    'filereadmon: asid 0x1000',
    '  "/etc/hostname" opened 1, read 2 times, 15 bytes',
    'filereadmon: asid 0x2000',
    '  "/etc/passwd" opened 1, read 1 times, 100 bytes',
  ], 'reads on unknown or closed fds and failed opens do not count');
});

t.test('rules: log, count, dump, fail, stop, min_priority', async (t) => {
  const rules = (action: string, extra = '') => `plugins:\n  - name: rules\n    output: alerts.txt\n${extra}rules:\n  - rule: missing\n    condition: syscall.name = openat and errno = ENOENT\n    output: "%arg.filename: %errno"\n    priority: error\n    action: ${action}\n  - rule: quiet\n    condition: syscall.name = read\n    output: read\n    priority: debug\n`;
  const events = [openat('/x', { dir: 'return', ret: -2, errno: 'ENOENT', seq: 7 }), ev('read'), openat('/y', { dir: 'return', ret: -2, errno: 'ENOENT', seq: 9 })];
  const alerts = (): string[] => readFileSync(join(dir, 'alerts.txt'), 'utf8').split('\n').slice(0, -1);

  let r = await run(rules('log'), events);
  t.same(alerts(), ['Error [missing] /x: ENOENT', 'Debug [quiet] read', 'Error [missing] /y: ENOENT']);
  t.same(r.state.failures, []);

  r = await run(rules('count'), events);
  t.same(alerts(), ['Debug [quiet] read', 'rule missing: 2 matches']);

  r = await run(rules('fail'), events);
  t.same(alerts(), ['Error [missing] /x: ENOENT', 'Debug [quiet] read', 'Error [missing] /y: ENOENT']);
  t.same(r.state.failures, ["rule 'missing' (action fail) matched 2 times"]);

  r = await run(rules('stop'), events);
  t.same(alerts(), ['Error [missing] /x: ENOENT'], 'nothing after the stop');
  t.equal(r.state.stopReason, "rule 'missing' matched event #7");

  r = await run(rules('dump'), events.slice(0, 1));
  t.same(alerts(), [
    'Error [missing] /x: ENOENT',
    '    dfd (int) = -100  AT_FDCWD',
    '    filename (const char __user *) = 0x48c0a3  "/x"',
    '      0000  ' + '2f 78'.padEnd(47) + '  /x',
    '    flags (int) = 0x0  O_RDONLY',
    '    mode (umode_t) = 0x0',
  ]);

  await run(rules('log', '    options: {min_priority: warning}\n'), events);
  t.same(alerts(), ['Error [missing] /x: ENOENT', 'Error [missing] /y: ENOENT'], 'debug rules left out');
  await t.rejects(run(rules('log', '    options: {min_priority: urgent}\n'), events), /min_priority: expected one of emergency/);
});

t.test('print on a real recorded trace: strace lines, interleaved calls unfinished and resumed', async (t) => {
  const { lines } = await run('plugins: [print]\n', TRACE, 'print.yaml');
  t.ok(lines.includes('[cpu0 0x285e000] openat(AT_FDCWD, "/etc/hostname", O_RDONLY) = 3'));
  t.ok(lines.includes('[cpu0 0x285e000] openat(AT_FDCWD, "/nonexistent/file", O_RDONLY) = -1 ENOENT (No such file or directory)'));
  const i = lines.indexOf('[cpu1 0x285e000] read(3,  <unfinished ...>');
  t.ok(i > 0, 'the blocked read is left unfinished');
  t.ok(lines.indexOf('[cpu0 0x285e000] <... read resumed>"ping", 16) = 4') > i, 'and resumed later');
  const events: TraceEvent[] = [];
  for await (const e of readTrace(TRACE)) events.push(e);
  const complete = events.filter((e) => e.line !== undefined).length;
  t.equal(lines.filter((l) => !l.endsWith('<unfinished ...>')).length, complete, 'one line (whole or resumed) per completed call');
  const noPrefix = await run('plugins:\n  - name: print\n    options: {prefix: false}\n', TRACE, 'noprefix.yaml');
  t.ok(noPrefix.lines.includes('openat(AT_FDCWD, "/etc/hostname", O_RDONLY) = 3'));
});

t.test('jsonl writes the events back unchanged', async (t) => {
  const { lines } = await run('plugins: [jsonl]\n', TRACE, 'jsonl.yaml');
  t.same(lines, readFileSync(TRACE, 'utf8').split('\n').filter((l) => l !== ''));
});

t.test('filereadmon on the recorded trace: the test program reads /etc/hostname', async (t) => {
  const { lines } = await run('plugins: [filereadmon]\n', TRACE, 'frm.yaml');
  const i = lines.indexOf('filereadmon: asid 0x285e000');
  t.ok(i >= 0);
  t.ok(lines.slice(i).includes('  "/etc/hostname" opened 1, read 1 times, 15 bytes'));
});
