/**
 * The commands around the pipeline, as a user runs them: `systrace validate`, `systrace
 * replay`, and config errors caught by the trace commands before any stub or QEMU is touched.
 */
import t from 'tap';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { run, SYSTRACE } from '../integration/guest.js';
import { FIXTURES, tmp, write } from '../fixtures/pipeline/helpers.js';

const dir = tmp();
const TRACE = join(FIXTURES, 'guest-entry.jsonl');
const FAIL_RULES = join(FIXTURES, 'fail-missing.rules.yaml');
const systrace = (...args: string[]) => run(process.execPath, [SYSTRACE, ...args], { timeoutMs: 60_000 });

t.test('validate: ok, --needs, and every error of every file with exit 2', async (t) => {
  const ok = await systrace('validate', FAIL_RULES);
  t.equal(ok.code, 0, ok.stderr);
  t.equal(ok.stdout, `${FAIL_RULES}: ok: plugins print, rules; 1 rules (1 enabled)\n`);

  const sel = write(dir, 'selective.yaml', 'plugins: [rules]\n');
  const needs = await systrace('validate', '--needs', FAIL_RULES, sel);
  t.equal(needs.code, 0, needs.stderr);
  t.match(needs.stdout, /\nneeds: open,openat\n$/, 'the union the selective mode would plant');
  t.match((await systrace('validate', '--needs', FAIL_RULES)).stdout, /needs: all \(plugin print needs every call\)/);

  const bad1 = write(dir, 'bad1.yaml', '- rule: a\n  condition: syscall.name = opneat\n  output: x\n- rule: b\n  condition: ret <\n  output: "%nofield"\n');
  const bad2 = write(dir, 'bad2.yaml', 'plugins: [summry]\n');
  const bad = await systrace('validate', bad1, bad2);
  t.equal(bad.code, 2);
  t.equal(bad.stdout, '', 'nothing claims success');
  t.same(bad.stderr.trimEnd().split('\n'), [
    `systrace: ${bad1}:2:29: no syscall 'opneat' in profile linux_x64 (did you mean openat?)`,
    `systrace: ${bad1}:5:19: expected a value after '<', got the end of the condition`,
    `systrace: ${bad1}:6:13: unknown field 'nofield'; known fields: ${bad.stderr.split('known fields: ')[1]!.split('\n')[0]}`,
    `systrace: ${bad2}:1:11: unknown built-in plugin 'summry' (built-ins: print, jsonl, summary, count, filereadmon, rules; a module is named by a path, e.g. ./my-plugin.js)`,
  ]);
  t.equal((await systrace('validate', '--profile', 'nosuch', FAIL_RULES)).code, 2, 'an unknown profile');
});

t.test('replay: print output, the fail rule exits 1 with its output line', async (t) => {
  const out = join(dir, 'replay.txt');
  const r = await systrace('replay', TRACE, '--config', FAIL_RULES, '-o', out);
  t.equal(r.code, 1, r.stderr);
  t.match(r.stderr, /^Error \[missing-file\] openat of \/nonexistent\/file failed: ENOENT \(cpu0 asid 0x285e000\)$/m);
  t.match(r.stderr, /systrace: the run failed: rule 'missing-file' \(action fail\) matched 1 time\n/);
  t.match(r.stderr, /systrace: replayed 498 events/);
  t.ok(readFileSync(out, 'utf8').includes('[cpu0 0x285e000] openat(AT_FDCWD, "/nonexistent/file", O_RDONLY) = -1 ENOENT (No such file or directory)\n'));

  const plain = await systrace('replay', TRACE, '-o', join(dir, 'plain.txt'), '-q');
  t.equal(plain.code, 0, 'no config: the trace printed, exit 0');
  t.equal(plain.stderr, '', '-q: nothing on stderr');
  t.equal(readFileSync(join(dir, 'plain.txt'), 'utf8'), readFileSync(out, 'utf8'), 'print is the default output');
});

t.test('replay: a stop rule ends the replay at its event', async (t) => {
  const cfg = write(dir, 'stop.yaml', '- rule: halt\n  condition: syscall.name = openat and arg.filename = /etc/hostname and evt.dir = return\n  output: halt at %evt.num\n  action: stop\n');
  const out = join(dir, 'stop.txt');
  const r = await systrace('replay', TRACE, '--config', cfg, '-o', out);
  t.equal(r.code, 0, r.stderr);
  const m = /^Warning \[halt\] halt at (\d+)$/m.exec(r.stderr);
  t.ok(m, 'the output line');
  t.match(r.stderr, new RegExp(`systrace: replayed ${m?.[1]} events; stopped: rule 'halt' matched event #${m?.[1]}`));
  const text = readFileSync(out, 'utf8');
  t.ok(text.endsWith('openat(AT_FDCWD, "/etc/hostname", O_RDONLY) = 3\n'), 'the trace ends at the stop');
});

t.test('replay: a damaged trace is an error at its line', async (t) => {
  const bad = write(dir, 'bad.jsonl', readFileSync(TRACE, 'utf8').split('\n').slice(0, 2).join('\n') + '\n{"seq": 3}\n');
  const r = await systrace('replay', bad);
  t.equal(r.code, 2);
  t.match(r.stderr, new RegExp(`systrace: ${bad}:3: expected a number 'call' \\(docs/events.md\\)`));
  const notJson = await systrace('replay', write(dir, 'nj.jsonl', 'hello\n'));
  t.match(notJson.stderr, /nj\.jsonl:1: expected a JSON event per line/);
  t.match((await systrace('replay', join(dir, 'absent.jsonl'))).stderr, /cannot read trace .*absent\.jsonl: no such file/);
});

t.test('trace commands check configs before touching the stub or starting QEMU', async (t) => {
  const map = join(FIXTURES, 'fake.System.map');
  const bad = write(dir, 'badcfg.yaml', '- rule: r\n  condition: ret < x\n  output: y\n');
  const attach = await systrace('--gdb', '127.0.0.1:1', '--symbols', map, '--config', bad);
  t.equal(attach.code, 2);
  t.equal(attach.stderr, `systrace: ${bad}:2:20: expected a number for ret (decimal or 0x...), got 'x'\n`, 'the config error, not a connection error');
  const good = await systrace('--gdb', '127.0.0.1:1', '--symbols', map, '--config', FAIL_RULES, '-q');
  t.equal(good.code, 2);
  t.match(good.stderr, /127\.0\.0\.1:1|connect|ECONNREFUSED/i, 'a good config gets as far as the stub');
  const qemu = await systrace('run', '--symbols', map, '--config', bad, '--', join(dir, 'no-such-qemu'));
  t.equal(qemu.code, 2);
  t.notMatch(qemu.stderr, /cannot start/, 'QEMU was not started');
  t.match(qemu.stderr, /badcfg\.yaml:2:20:/);
});
