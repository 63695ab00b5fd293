/**
 * The dispatcher: PANDA's hook order, named arguments and the context record, unknown
 * calls, failures that disable one plugin, async hooks, and the stop request.
 */
import t from 'tap';
import { Pipeline, RunState, type LoadedPlugin } from '../../src/pipeline/pipeline.js';
import type { NamedArgs, Plugin, PluginApi, SyscallContext } from '../../src/pipeline/plugin.js';
import type { SyscallInfo } from '../../src/decode/prototypes.js';
import { ev, linux, openat } from '../fixtures/pipeline/helpers.js';

function api(name: string, state: RunState, lines: string[]): PluginApi {
  return {
    name,
    options: {},
    profile: { name: 'linux_x64', os: 'linux', arch: 'x86_64', wordSize: 8 },
    live: false,
    getSyscallInfo: (no) => linux().table.getSyscallInfo(no),
    getSyscallMeta: () => linux().table.getSyscallMeta(),
    writer: undefined as never,
    out: (l) => void lines.push(l),
    info: () => undefined,
    fail: (r) => state.fail(r),
    stop: (r) => state.stop(r),
  };
}

function pipeline(plugins: Plugin[]): { p: Pipeline; state: RunState; reports: string[]; lines: string[] } {
  const state = new RunState();
  const reports: string[] = [];
  const lines: string[] = [];
  const loaded: LoadedPlugin[] = plugins.map((plugin, i) => ({ name: plugin.name ?? `p${i}`, plugin, api: api(plugin.name ?? `p${i}`, state, lines), needs: 'all' }));
  return { p: new Pipeline(loaded, linux().table, state, (m) => void reports.push(m)), state, reports, lines };
}

t.test("PANDA's order: the call's own hook, then on_all_sys_*, then on_all_sys_*2; plugins in order within each", async (t) => {
  const log: string[] = [];
  const mk = (n: string): Plugin => ({
    name: n,
    on_sys_openat_enter: () => void log.push(`${n}:own`),
    on_all_sys_enter: () => void log.push(`${n}:all`),
    on_all_sys_enter2: () => void log.push(`${n}:all2`),
    on_sys_openat_return: () => void log.push(`${n}:own-ret`),
    on_all_sys_return2: () => void log.push(`${n}:all2-ret`),
  });
  const { p } = pipeline([mk('a'), mk('b')]);
  await p.start();
  p.dispatch(openat('/etc/hostname'));
  p.dispatch(openat('/etc/hostname', { dir: 'return', ret: 3 }));
  t.same(log, ['a:own', 'b:own', 'a:all', 'b:all', 'a:all2', 'b:all2', 'a:own-ret', 'b:own-ret', 'a:all2-ret', 'b:all2-ret']);
});

t.test('per-syscall hooks get the arguments by prototype name, and the context', async (t) => {
  let got: { cpu: number; pc: bigint; args: NamedArgs; ctx: SyscallContext } | undefined;
  let ret: SyscallContext | undefined;
  let self: unknown;
  const plugin: Plugin = {
    name: 'named',
    on_sys_openat_enter(cpu: number, pc: bigint, args: NamedArgs, ctx: SyscallContext) {
      self = this;
      got = { cpu, pc, args, ctx };
    },
    on_sys_openat_return: (_c: number, _p: bigint, _a: NamedArgs, ctx: SyscallContext) => void (ret = ctx),
  };
  const { p } = pipeline([plugin]);
  await p.start();
  p.dispatch(openat('/etc/hostname', { cpu: 1, asid: '0x2a9a000', retaddr: '0x401234', sp: '0x7ffc00' }));
  p.dispatch(openat('/nonexistent/file', { dir: 'return', ret: -2, errno: 'ENOENT' }));
  t.equal(self, plugin, 'this is the plugin');
  t.ok(got);
  const { cpu, pc, args, ctx } = got!;
  t.equal(cpu, 1);
  t.equal(pc, 0xffffffff81000000n);
  t.same(Object.keys(args), ['dfd', 'filename', 'flags', 'mode'], 'names from the prototype');
  t.equal(args.filename!.value, '/etc/hostname', 'a string argument comes unquoted');
  t.equal(args.filename!.text, '"/etc/hostname"');
  t.equal(args.filename!.raw, 0x48c0a3n);
  t.equal(args.dfd!.raw, -100n, 'a signed int argument is signed');
  t.equal(args.dfd!.value, -100n, 'a non-string value is the raw number');
  t.equal(args.flags!.text, 'O_RDONLY');
  t.same([ctx.no, ctx.name, ctx.asid, ctx.retaddr, ctx.sp, ctx.profile, ctx.dir, ctx.child], [257, 'openat', 0x2a9a000n, 0x401234n, 0x7ffc00n, 'linux_x64', 'enter', false]);
  t.equal(ctx.args.length, 4);
  t.equal(ctx.ret, undefined);
  t.equal(ret?.ret, -2n);
  t.equal(ret?.errno, 'ENOENT');
});

t.test('unknown numbers go to on_unknown_sys_*; all2 gets no info; a fork child is flagged', async (t) => {
  const log: unknown[] = [];
  const { p } = pipeline([
    {
      on_unknown_sys_enter: (cpu: number, pc: bigint, callno: number) => void log.push(['unknown', cpu, pc, callno]),
      on_all_sys_enter2: (_c: number, _p: bigint, info: SyscallInfo | undefined, ctx: SyscallContext) => void log.push(['all2', info?.name, ctx.name]),
      on_all_sys_return: (_c: number, _p: bigint, callno: number) => void log.push(['all-ret', callno]),
      on_all_sys_return2: (_c: number, _p: bigint, _i: SyscallInfo | undefined, ctx: SyscallContext) => void log.push(['child', ctx.child]),
    },
  ]);
  await p.start();
  p.dispatch(ev('syscall_0x3e8', [['arg0', 1]], { no: 1000, unknown: true, cpu: 1, pc: '0x10' }));
  p.dispatch(ev('read', [['fd', 0, '0']]));
  p.dispatch(ev('fork', [], { dir: 'return', ret: 0, child: true }));
  t.same(log, [['unknown', 1, 0x10n, 1000], ['all2', undefined, 'syscall_0x3e8'], ['all2', 'read', 'read'], ['all-ret', 57], ['child', true]]);
});

t.test('a hook that throws disables its plugin and fails the run; the others go on', async (t) => {
  let seen = 0;
  const { p, state, reports } = pipeline([
    { name: 'bad', on_sys_read_enter: () => { throw new Error('boom'); }, onEnd: () => { throw new Error('never called'); } },
    { name: 'good', on_sys_read_enter: () => void seen++ },
  ]);
  await p.start();
  p.dispatch(ev('read'));
  p.dispatch(ev('read'));
  await p.end();
  t.equal(seen, 2);
  t.same(reports, ['plugin bad: on_sys_read_enter failed: boom'], 'reported once, then disabled (onEnd not run)');
  t.same(state.failures, ['plugin bad: on_sys_read_enter failed: boom']);
});

t.test('async hooks: end() waits for them; a rejection fails the run', async (t) => {
  let done = false;
  const { p, state } = pipeline([
    { name: 'slow', on_sys_read_enter: async () => { await new Promise((r) => setTimeout(r, 20)); done = true; } },
    { name: 'rejects', on_sys_read_enter: () => Promise.reject(new Error('later')) },
  ]);
  await p.start();
  p.dispatch(ev('read'));
  t.equal(done, false, 'dispatch does not wait');
  await p.end();
  t.equal(done, true, 'end waited');
  t.same(state.failures, ['plugin rejects: on_sys_read_enter failed: later']);
});

t.test('after a stop request no event reaches any plugin; onStop is called once', async (t) => {
  let n = 0;
  const stops: string[] = [];
  const { p, state } = pipeline([{ on_all_sys_enter: () => { n++; if (n === 2) state.stop('enough'); } }]);
  state.onStop = (r) => void stops.push(r);
  await p.start();
  for (let i = 0; i < 5; i++) p.dispatch(ev('read'));
  state.stop('again');
  t.equal(n, 2);
  t.equal(p.events, 2);
  t.same(stops, ['enough']);
  t.equal(state.stopReason, 'enough');
});

t.test('onStart and onEnd get the API; events before start are not dispatched', async (t) => {
  const got: string[] = [];
  const { p, lines } = pipeline([{ name: 'x', onStart: (a: PluginApi) => void got.push(`start ${a.name}`), on_all_sys_enter: () => void got.push('ev'), onEnd: (a: PluginApi) => a.out('end') }]);
  p.dispatch(ev('read'));
  await p.start();
  p.dispatch(ev('read'));
  await p.end();
  t.same(got, ['start x', 'ev']);
  t.same(lines, ['end']);
});
