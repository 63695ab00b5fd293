/**
 * A template for a new plugin: copy it, rename it, keep the hooks you need.
 *
 * Built-in plugins sit beside this file and are registered in ./index.ts. A plugin of your
 * own is a JavaScript ES module whose default export is a plugin object or a factory
 * `(options, api) => plugin`, named in a config with `- path: ./my-plugin.js`. Written in
 * TypeScript, it is compiled first (`tsc`); its types come from src/pipeline/plugin.ts.
 * docs/plugins.md lists every hook and how each maps to PANDA's syscalls2.
 */
import type { NamedArgs, Plugin, PluginApi, SyscallContext } from '../plugin.js';
import type { SyscallInfo } from '../../decode/prototypes.js';

/** Options this plugin reads from its `options:` in the config. */
interface TemplateOptions {
  /** Only report calls of this name. */
  only?: string;
}

/** Builds the plugin; `api` gives output, failure, stop and the syscall table. */
export default function template(options: Readonly<Record<string, unknown>>, api: PluginApi): Plugin {
  const opts = options as TemplateOptions;
  let calls = 0;
  return {
    name: 'template',
    // The calls this plugin must see when systrace stops the guest selectively, e.g.
    // `needs: ['openat']`; without it the per-syscall hooks decide, and any on_all_* or
    // on_unknown_* hook (on_all_sys_enter2 below) means every call.
    onStart(a: PluginApi) {
      a.info(`template: starting on profile ${a.profile.name} (${a.getSyscallMeta().max + 1} call numbers)`);
    },
    // PANDA: on_sys_openat_enter(CPUState *cpu, target_ulong pc, int32_t dfd, uint32_t filename, ...)
    on_sys_openat_enter(cpu: number, _pc: bigint, args: NamedArgs, ctx: SyscallContext) {
      if (opts.only && opts.only !== ctx.name) return;
      calls++;
      api.out(`template: cpu${cpu} asid 0x${ctx.asid.toString(16)} opens ${String(args.filename?.value)}`);
    },
    on_sys_openat_return(_cpu: number, _pc: bigint, _args: NamedArgs, ctx: SyscallContext) {
      if (ctx.errno === 'EACCES') api.fail(`template: an open was refused`);
    },
    // PANDA: on_all_sys_enter2(CPUState *cpu, target_ulong pc, const syscall_info_t *call, const syscall_ctx_t *ctx)
    on_all_sys_enter2(_cpu: number, _pc: bigint, info: SyscallInfo | undefined, _ctx: SyscallContext) {
      if (info === undefined) calls++;
    },
    onEnd() {
      api.out(`template: ${calls} calls seen`);
    },
  };
}
