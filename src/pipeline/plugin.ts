/**
 * The plugin API: PANDA syscalls2's callbacks (panda/plugins/syscalls2/syscalls_ext_typedefs.h)
 * as optional methods of a plain object. Per-syscall hooks are named after the prototype's
 * function name: `on_sys_openat_enter` (Linux), `on_NtReadFile_return` (Windows). See
 * docs/plugins.md for the mapping to PANDA and the order hooks run in.
 */
import type { SyscallInfo, SyscallMeta } from '../decode/prototypes.js';
import type { LineWriter } from '../trace/sinks.js';
import type { TraceEvent } from '../trace/event.js';
import type { ArgValue } from './args.js';

export type { ArgValue } from './args.js';

/** A hook may finish later; the pipeline waits for it before `onEnd`. */
export type HookResult = void | Promise<void>;

/** Arguments of a call by prototype name (`args.filename.value === '/etc/hostname'`). */
export type NamedArgs = Readonly<Record<string, ArgValue>>;

/** PANDA's syscall_ctx_t, plus what an event knows. */
export interface SyscallContext {
  /** Syscall number. */
  readonly no: number;
  /** Short name (`openat`), `syscall_0x3e8` for an unknown number. */
  readonly name: string;
  /** Address space (page-table base). */
  readonly asid: bigint;
  /** User return site of the call. */
  readonly retaddr: bigint;
  /** User stack pointer at the call. */
  readonly sp: bigint;
  /** Arguments in prototype order. */
  readonly args: readonly ArgValue[];
  /** Profile name (`linux_x64`). */
  readonly profile: string;
  readonly dir: 'enter' | 'return';
  /** Return value, signed (return events). */
  readonly ret?: bigint;
  /** errno name when the call failed. */
  readonly errno?: string;
  /** PANDA's double_return: this return is the child's side of fork/vfork/clone. */
  readonly child: boolean;
  /** The event itself (docs/events.md). */
  readonly event: TraceEvent;
}

/** `on_all_sys_enter`, `on_unknown_sys_enter` and their returns: PANDA's (cpu, pc, callno). */
export type CallnoHook = (cpu: number, pc: bigint, callno: number) => HookResult;
/** `on_all_sys_enter2` / `on_all_sys_return2`: PANDA's (cpu, pc, call, ctx). */
export type InfoHook = (cpu: number, pc: bigint, info: SyscallInfo | undefined, ctx: SyscallContext) => HookResult;
/** `on_<fn>_enter` / `on_<fn>_return`: PANDA passes the arguments one by one; here they come by name. */
export type SyscallHook = (cpu: number, pc: bigint, args: NamedArgs, ctx: SyscallContext) => HookResult;

/** Services a plugin gets (in `onStart`, `onEnd`, and as the factory's second argument). */
export interface PluginApi {
  /** The plugin's name in the pipeline. */
  readonly name: string;
  /** Its `options:` from the config (plain YAML values). */
  readonly options: Readonly<Record<string, unknown>>;
  readonly profile: { readonly name: string; readonly os: 'linux' | 'windows'; readonly arch: string; readonly wordSize: 4 | 8 };
  /** False when the events come from a recorded trace (`systrace replay`). */
  readonly live: boolean;
  /** PANDA's get_syscall_info. */
  getSyscallInfo(no: number): SyscallInfo | undefined;
  /** PANDA's get_syscall_meta. */
  getSyscallMeta(): SyscallMeta;
  /** The plugin's output: its `output` option, else `-o FILE`, else stderr. */
  readonly writer: LineWriter;
  /** Writes one line to `writer`. */
  out(line: string): void;
  /** A progress or diagnostic message on stderr (silenced by -q). */
  info(message: string): void;
  /** The run fails: systrace exits 1 when it ends. */
  fail(reason: string): void;
  /** Pause the guest here and leave it for a debugger (ends a replay). */
  stop(reason: string): void;
}

/**
 * A plugin: a plain object with optional hooks. `needs` names the calls it must see (short
 * names) for selective tracing; without it, per-syscall hooks say which, and any
 * `on_all_*` or `on_unknown_*` hook means every call.
 */
export interface Plugin {
  name?: string;
  needs?: 'all' | readonly string[];
  onStart?(api: PluginApi): HookResult;
  onEnd?(api: PluginApi): HookResult;
  on_all_sys_enter?: CallnoHook;
  on_all_sys_return?: CallnoHook;
  on_all_sys_enter2?: InfoHook;
  on_all_sys_return2?: InfoHook;
  on_unknown_sys_enter?: CallnoHook;
  on_unknown_sys_return?: CallnoHook;
  [hook: `on_${string}_enter` | `on_${string}_return`]: SyscallHook | CallnoHook | InfoHook | undefined;
}

/** A module's default export may also be a factory: `(options, api) => plugin`. */
export type PluginFactory = (options: Readonly<Record<string, unknown>>, api: PluginApi) => Plugin | Promise<Plugin>;

/** PANDA's hook name for a call: `on_sys_openat_enter`, `on_NtReadFile_return`. */
export function hookName(info: SyscallInfo, dir: 'enter' | 'return'): string {
  return `on_${info.fn}_${dir}`;
}

/** The hooks that are not per-syscall. */
export const GENERIC_HOOKS = ['on_all_sys_enter', 'on_all_sys_return', 'on_all_sys_enter2', 'on_all_sys_return2', 'on_unknown_sys_enter', 'on_unknown_sys_return'] as const;
