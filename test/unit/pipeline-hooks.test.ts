/**
 * Hook names follow the profile's prototypes: `on_sys_openat_enter` on Linux,
 * `on_NtReadFile_enter` on Windows. The loader's checks and the needs derived from hooks,
 * and the `_template` plugin staying a valid plugin.
 */
import t from 'tap';
import { join } from 'node:path';
import { loadPrototypes } from '../../src/decode/prototypes.js';
import { checkHooks, needsOfPlugin } from '../../src/pipeline/hooks.js';
import { Pipeline, RunState } from '../../src/pipeline/pipeline.js';
import { hookName, type NamedArgs, type Plugin, type PluginApi, type SyscallContext } from '../../src/pipeline/plugin.js';
import template from '../../src/pipeline/plugins/_template.js';
import { buildPipeline } from '../../src/pipeline/loader.js';
import { ROOT } from '../integration/guest.js';
import { linux, tmp, write } from '../fixtures/pipeline/helpers.js';

const windows = loadPrototypes('windows_7_x64.txt', 8);

t.test('Windows: hooks are named after NtXxx functions', async (t) => {
  const info = windows.byShortName('NtReadFile')!;
  t.equal(hookName(info, 'enter'), 'on_NtReadFile_enter');
  t.equal(hookName(info, 'return'), 'on_NtReadFile_return');
  t.same(checkHooks({ on_NtReadFile_enter() {}, on_NtCreateFile_return() {} }, windows), []);
  t.match(checkHooks({ on_sys_read_enter() {} }, windows), [/hook 'on_sys_read_enter' names no call of this profile/]);
  t.same([...(needsOfPlugin({ on_NtReadFile_enter() {} }, windows) as Set<string>)], ['NtReadFile']);

  let got: NamedArgs | undefined;
  const state = new RunState();
  const p = new Pipeline([{ name: 'w', plugin: { on_NtReadFile_enter: (_c: number, _p: bigint, args: NamedArgs) => void (got = args) }, api: {} as PluginApi, needs: 'all' }], windows, state, () => undefined);
  await p.start();
  p.dispatch({
    seq: 1, ts: 1, dir: 'enter', call: 1, cpu: 0, asid: '0x1000', pc: '0x10', retaddr: '0x20', sp: '0x30', no: info.no, name: 'NtReadFile',
    args: info.args.map((a, i) => ({ name: a.name, type: a.type, raw: '0x' + (i + 1).toString(16) })), profile: 'windows_7_x64', abi: 'x64',
  });
  t.same(Object.keys(got ?? {}).slice(0, 3), ['FileHandle', 'Event', 'ApcRoutine'], "named after the Windows prototype's parameters");
  t.equal(got?.FileHandle?.raw, 1n);
});

t.test('Linux: the short name is not a hook name; the nearest valid one is suggested', async (t) => {
  t.match(checkHooks({ on_openat_enter() {} }, linux().table), [/did you mean on_sys_openat_enter\?/]);
  t.same(checkHooks({ on_unknown_sys_return() {}, on_all_sys_enter2() {}, onStart() {}, name: 'x' } as Plugin, linux().table), []);
  t.equal(needsOfPlugin({ on_unknown_sys_enter() {} }, linux().table), 'all');
  t.equal(needsOfPlugin({ needs: 'all', on_sys_read_enter() {} }, linux().table), 'all', 'needs wins over hooks');
  t.same([...(needsOfPlugin({ needs: ['write'], on_sys_read_enter() {} }, linux().table) as Set<string>)], ['write']);
});

t.test('the _template plugin is a valid plugin and loads by path', async (t) => {
  const lines: string[] = [];
  const api = { out: (l: string) => void lines.push(l), info: () => undefined, fail: () => undefined } as unknown as PluginApi;
  const plugin = template({}, api);
  t.same(checkHooks(plugin, linux().table), []);
  const args = { filename: { name: 'filename', type: 'const char *', raw: 1n, value: '/etc/hostname' } } as NamedArgs;
  (plugin.on_sys_openat_enter as (c: number, p: bigint, a: NamedArgs, x: SyscallContext) => void)(0, 0n, args, { asid: 0x1000n, name: 'openat' } as SyscallContext);
  t.same(lines, ['template: cpu0 asid 0x1000 opens /etc/hostname']);
  const cfg = write(tmp(), 't.yaml', `plugins:\n  - path: ${join(ROOT, 'dist', 'src', 'pipeline', 'plugins', '_template.js')}\n`);
  const built = await buildPipeline({ ...linux(), configs: [cfg], prefix: true, live: false, dryRun: true });
  t.same(built.pipeline.plugins.map((p) => p.name), ['template']);
  t.equal(built.pipeline.plugins[0]!.needs, 'all', 'its on_all_sys_enter2 hook needs every call');
});
