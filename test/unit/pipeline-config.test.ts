/**
 * Configs: the plugins a run gets (the CLI's default output, rules added), options checked
 * against each built-in, user modules loaded by path with their hooks checked, later files
 * overriding earlier ones, and every error at file:line:column.
 */
import t from 'tap';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '../../src/pipeline/diagnostics.js';
import { buildPipeline, type PipelineSetup } from '../../src/pipeline/loader.js';
import { formatNeeds, neededSyscalls } from '../../src/pipeline/needs.js';
import { FIXTURES, linux, openat, tmp, write, ev } from '../fixtures/pipeline/helpers.js';

const setup = (configs: string[], more: Partial<PipelineSetup> = {}): PipelineSetup => ({ ...linux(), configs, prefix: true, live: false, ...more });
const names = async (configs: string[], more: Partial<PipelineSetup> = {}): Promise<string[]> => (await buildPipeline(setup(configs, { dryRun: true, ...more }))).pipeline.plugins.map((p) => p.name);

async function errorsOf(configs: string[]): Promise<string[]> {
  try {
    await buildPipeline(setup(configs, { dryRun: true }));
  } catch (e) {
    if (e instanceof ConfigError) return e.message.split('\n');
    throw e;
  }
  return [];
}

const dir = tmp();

t.test('which plugins run', async (t) => {
  t.same(await names([]), ['print'], 'no config: strace text');
  t.same(await names([], { json: true }), ['jsonl'], '--json: JSONL');
  const rulesOnly = write(dir, 'rules-only.yaml', '- rule: r\n  condition: ret < 0\n  output: x\n');
  t.same(await names([rulesOnly]), ['print', 'rules'], 'a rules file keeps the default output and adds rules');
  const listed = write(dir, 'listed.yaml', 'plugins: [summary]\nrules:\n  - rule: r\n    condition: ret < 0\n    action: count\n');
  t.same(await names([listed]), ['summary', 'rules'], 'a plugin list replaces the default output');
  t.same(await names([listed], { json: true }), ['jsonl', 'summary', 'rules'], '--json adds jsonl to a list without it');
  const rulesPlaced = write(dir, 'placed.yaml', 'plugins: [rules, count]\nrules:\n  - rule: r\n    condition: ret < 0\n    action: count\n');
  t.same(await names([rulesPlaced]), ['rules', 'count'], 'rules where the list puts it');
  t.same(await names([write(dir, 'empty.yaml', '')]), ['print'], 'an empty file changes nothing');
});

t.test('later files override plugin entries, disable them, and add new ones', async (t) => {
  const a = write(dir, 'a.yaml', 'plugins:\n  - print\n  - name: count\n    options: {by: errno}\n  - summary\n');
  const b = write(dir, 'b.yaml', 'plugins:\n  - name: count\n    options: {by: asid}\n  - name: summary\n    enabled: false\n  - filereadmon\n');
  const built = await buildPipeline(setup([a, b], { dryRun: true }));
  t.same(built.pipeline.plugins.map((p) => p.name), ['print', 'count', 'filereadmon']);
  t.same(built.pipeline.plugins[1]!.api.options, { by: 'asid' }, 'the later options replace the earlier ones');
});

t.test('config errors, all of them, each at its place', async (t) => {
  const bad = write(dir, 'bad.yaml', [
    'plugins:',
    '  - prnt',
    '  - name: summary',
    '    options: {colour: red}',
    '  - name: count',
    '    options: {by: 3}',
    '  - options: {}',
    '  - path: ./nosuch.mjs',
    '  - ./plugin.ts',
    `  - path: ${join(FIXTURES, 'bad-hooks.mjs')}`,
    `  - ${join(FIXTURES, 'not-a-plugin.mjs')}`,
    'extra: 1',
    'rules:',
    '  - rule: r',
    '    condition: syscall.name = openat and',
    '    output: x',
    '  - missing.rules.yaml',
  ].join('\n'));
  const errors = await errorsOf([bad]);
  const f = bad;
  t.same(errors.slice(0, 5), [
    `${f}:2:5: unknown built-in plugin 'prnt' (built-ins: print, jsonl, summary, count, filereadmon, rules; a module is named by a path, e.g. ./my-plugin.js)`,
    `${f}:4:15: unknown option 'colour' for plugin summary (options: output)`,
    `${f}:6:19: expected a string for option 'by' of plugin count`,
    `${f}:7:5: expected 'name' (a built-in plugin) or 'path' (a plugin module)`,
    `${f}:8:5: cannot load plugin ${join(dir, 'nosuch.mjs')}: no such file`,
  ]);
  t.match(errors[5], `${f}:9:5: plugin ${join(dir, 'plugin.ts')}: TypeScript plugins are compiled first (tsc)`);
  const hooks = errors.filter((e) => e.startsWith(`${f}:10:5: plugin ${join(FIXTURES, 'bad-hooks.mjs')}: `)).map((e) => e.slice(e.indexOf('.mjs: ') + 6));
  t.same(hooks.sort(), [
    "'needs' names 'nosuchcall', which is not a syscall of this profile",
    "'on_all_sys_enter' must be a function",
    "hook 'on_openat_return' names no call of this profile (did you mean on_sys_openat_return?); hooks are named after the prototype's function (systrace syscalls shows them)",
    "hook 'on_sys_opneat_enter' names no call of this profile (did you mean on_sys_openat_enter?); hooks are named after the prototype's function (systrace syscalls shows them)",
  ]);
  t.ok(errors.some((e) => e.startsWith(`${f}:11:5: plugin ${join(FIXTURES, 'not-a-plugin.mjs')}: expected a default export: a plugin object, or a factory`)));
  t.ok(errors.includes(`${f}:12:1: unknown key 'extra' in a config (expected one of plugins, rules)`));
  t.ok(errors.includes(`${f}:15:41: expected a field, a macro name, 'not' or '(', got the end of the condition`), errors.join('\n'));
  t.ok(errors.includes(`${f}:17:5: cannot read ${join(dir, 'missing.rules.yaml')}: no such file`));
  t.equal(errors.length, 14, 'nothing else');
});

t.test('YAML syntax errors and wrong shapes', async (t) => {
  t.same(await errorsOf([write(dir, 'syntax.yaml', 'plugins: [print\nrules: x\n')]), [`${join(dir, 'syntax.yaml')}:2:1: Flow sequence in block collection must be sufficiently indented and end with a ]`], 'yaml syntax error at its place');
  t.same(await errorsOf([write(dir, 'scalar.yaml', 'hello\n')]), [`${join(dir, 'scalar.yaml')}:1:1: expected a config: a mapping with 'plugins' and/or 'rules', or a list of rules items (a mapping)`]);
  t.same(await errorsOf([join(dir, 'absent.yaml')]), [`${join(dir, 'absent.yaml')}:1:1: cannot read ${join(dir, 'absent.yaml')}: no such file`]);
});

t.test('rules files named in a config are read relative to it, errors point into them', async (t) => {
  const sub = write(dir, 'sub.rules.yaml', '- rule: s\n  condition: errno = ENOENT and ret <\n  output: x\n');
  const cfg = write(dir, 'with-sub.yaml', 'rules:\n  - sub.rules.yaml\n');
  t.same(await errorsOf([cfg]), [`${sub}:2:38: expected a value after '<', got the end of the condition`]);
});

t.test('user plugins: a factory gets its options and the API; a class instance works', async (t) => {
  const out = join(dir, 'recorder.txt');
  const cfg = write(dir, 'user.yaml', `plugins:\n  - path: ${join(FIXTURES, 'recorder.mjs')}\n    options: {tag: rec}\n    output: recorder.txt\n  - ${join(FIXTURES, 'class-plugin.mjs')}\n`);
  const built = await buildPipeline(setup([cfg], { output: join(dir, 'default.txt') }));
  t.same(built.pipeline.plugins.map((p) => p.name), ['recorder', 'class-plugin']);
  t.equal(built.pipeline.plugins[0]!.api.live, false, 'api.live says whether events come from a guest');
  await built.pipeline.start();
  built.pipeline.dispatch(openat('/etc/hostname'));
  built.pipeline.dispatch(openat('/etc/hostname', { dir: 'return', ret: 3 }));
  built.pipeline.dispatch(ev('read', [['fd', 3, '3']], { dir: 'return', ret: 5 }));
  await built.pipeline.end();
  await built.outputs.end();
  t.same(readFileSync(out, 'utf8').split('\n'), [
    'rec openat-enter {"names":["dfd","filename","flags","mode"],"filename":"/etc/hostname","dfd":"-100","flags":"O_RDONLY","asid":"0x2a9a000","cpu":0,"pcIsBigint":true}',
    'rec openat-return /etc/hostname = 3',
    'rec 1 opens on linux_x64',
    '',
  ], 'output: is relative to the config file');
  t.equal(readFileSync(join(dir, 'default.txt'), 'utf8'), 'class-plugin reads=1\n', 'without output:, the -o file');
});

t.test('print and summary share the -o file without clobbering it', async (t) => {
  const out = join(dir, 'shared.txt');
  const cfg = write(dir, 'shared.yaml', 'plugins: [print, summary]\n');
  const built = await buildPipeline(setup([cfg], { output: out }));
  await built.pipeline.start();
  built.pipeline.dispatch(openat('/etc/hostname', { call: 1, ts: 10 }));
  built.pipeline.dispatch(openat('/etc/hostname', { call: 1, ts: 10.5, dir: 'return', ret: 3, retText: '3', line: 'openat(AT_FDCWD, "/etc/hostname", O_RDONLY) = 3' }));
  await built.pipeline.end();
  await built.outputs.end();
  const text = readFileSync(out, 'utf8').split('\n');
  t.equal(text[0], '[cpu0 0x2a9a000] openat(AT_FDCWD, "/etc/hostname", O_RDONLY) = 3');
  t.equal(text[1], '% time     seconds  usecs/call     calls    errors syscall');
  t.equal(text[3], '100.00    0.500000      500000         1           openat');
});

t.test('needed syscalls: union over plugins, all when any needs all', async (t) => {
  const needs = async (text: string): Promise<string> => formatNeeds(neededSyscalls((await buildPipeline(setup([write(dir, 'needs.yaml', text)], { dryRun: true }))).pipeline.plugins));
  t.equal(await needs('plugins: [rules]\nrules:\n  - rule: r\n    condition: syscall.name in (openat, close) and ret < 0\n    output: x\n'), 'close,openat');
  t.equal(await needs(`plugins: [rules, ${join(FIXTURES, 'recorder.mjs')}, filereadmon]\nrules:\n  - rule: r\n    condition: syscall.name = write\n    output: x\n  - rule: off\n    condition: ret < 0\n    output: x\n    enabled: false\n`), 'close,creat,open,openat,openat2,pread64,preadv,preadv2,read,readv,write', 'hooks, built-in lists and enabled rules only');
  t.equal(await needs('plugins:\n  - name: rules\n    options: {min_priority: error}\nrules:\n  - rule: r\n    condition: ret < 0\n    output: x\n    priority: debug\n  - rule: e\n    condition: syscall.name = read\n    output: x\n    priority: error\n'), 'read', 'rules below min_priority do not count');
  t.equal(await needs('rules:\n  - rule: r\n    condition: syscall.name = read\n    output: x\n'), 'all (plugin print needs every call)', 'the default output needs everything');
  t.equal(await needs(`plugins: [${join(FIXTURES, 'class-plugin.mjs')}]\n`), 'read');
});
