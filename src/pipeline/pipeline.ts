/**
 * The pipeline: every event, in trace order, through every plugin's hooks, in PANDA's
 * order (panda/plugins/syscalls2/generated/syscall_switch_enter_*.cpp): the call's own
 * hook (or `on_unknown_sys_*`), then `on_all_sys_*`, then `on_all_sys_*2`; within one kind,
 * plugins in config order. Hooks run while the guest is stopped at the event. A hook that
 * throws disables its plugin for the rest of the run and fails the run.
 */
import type { SyscallInfo, SyscallTable } from '../decode/prototypes.js';
import type { TraceEvent } from '../trace/event.js';
import { EventView } from './args.js';
import { hookName, type Plugin, type PluginApi, type SyscallContext } from './plugin.js';

/** What every plugin of one run shares: failures and the stop request. */
export class RunState {
  /** Why the run failed (rules with action fail, plugins that threw). */
  readonly failures: string[] = [];
  /** Set once something asked to pause the guest. */
  stopReason: string | undefined;

  /** Called once, with the reason, when the first stop is asked for. */
  onStop: ((reason: string) => void) | undefined;

  fail(reason: string): void {
    if (!this.failures.includes(reason)) this.failures.push(reason);
  }

  stop(reason: string): void {
    if (this.stopReason !== undefined) return;
    this.stopReason = reason;
    this.onStop?.(reason);
  }
}

/** A plugin ready to run: its object, its API, where it came from. */
export interface LoadedPlugin {
  name: string;
  plugin: Plugin;
  api: PluginApi;
  /** Calls it needs: 'all' or short names (see needs.ts). */
  needs: 'all' | ReadonlySet<string>;
}

type Kind = 'own' | 'all' | 'all2';

export class Pipeline {
  private readonly disabled = new Set<LoadedPlugin>();
  private readonly pending: Promise<void>[] = [];
  private started = false;
  /** Events seen and dispatched. */
  events = 0;

  constructor(
    readonly plugins: readonly LoadedPlugin[],
    private readonly table: SyscallTable,
    readonly state: RunState,
    private readonly report: (msg: string) => void,
  ) {}

  async start(): Promise<void> {
    this.started = true;
    for (const p of this.plugins) if (p.plugin.onStart) await this.guard(p, 'onStart', () => p.plugin.onStart!.call(p.plugin, p.api));
  }

  /** Runs every hook for `ev`; events after a stop request are ignored (live and replay alike). */
  dispatch(ev: TraceEvent): void {
    if (!this.started || this.state.stopReason !== undefined) return;
    this.events++;
    const info = ev.unknown ? undefined : this.table.getSyscallInfo(ev.no);
    const view = new EventView(ev, info);
    let ctx: SyscallContext | undefined;
    const context = (): SyscallContext => (ctx ??= contextOf(view));
    const pc = BigInt(ev.pc);
    const dir = ev.dir;
    const own = info ? hookName(info, dir) : `on_unknown_sys_${dir}`;
    for (const kind of ['own', 'all', 'all2'] as Kind[]) {
      const name = kind === 'own' ? own : kind === 'all' ? `on_all_sys_${dir}` : `on_all_sys_${dir}2`;
      for (const p of this.plugins) {
        const fn = (p.plugin as Record<string, unknown>)[name];
        if (typeof fn !== 'function' || this.disabled.has(p)) continue;
        this.guard(p, name, () => {
          if (kind === 'all2') return fn.call(p.plugin, ev.cpu, pc, info, context());
          if (kind === 'all' || !info) return fn.call(p.plugin, ev.cpu, pc, ev.no);
          return fn.call(p.plugin, ev.cpu, pc, view.named, context());
        });
      }
    }
  }

  /** Waits for hooks still running, then runs every `onEnd`. */
  async end(): Promise<void> {
    await Promise.all(this.pending);
    for (const p of this.plugins) if (p.plugin.onEnd && !this.disabled.has(p)) await this.guard(p, 'onEnd', () => p.plugin.onEnd!.call(p.plugin, p.api));
    await Promise.all(this.pending);
  }

  private guard(p: LoadedPlugin, hook: string, call: () => unknown): Promise<void> | void {
    const failed = (e: unknown): void => {
      this.disabled.add(p);
      const msg = `plugin ${p.name}: ${hook} failed: ${e instanceof Error ? e.message : String(e)}`;
      this.report(msg);
      this.state.fail(msg);
    };
    try {
      const r = call();
      if (r && typeof (r as Promise<void>).then === 'function') {
        const done = (r as Promise<void>).then(() => undefined, failed);
        this.pending.push(done);
        return done;
      }
    } catch (e) {
      failed(e);
    }
  }
}

function contextOf(view: EventView): SyscallContext {
  const ev = view.ev;
  const ctx: { -readonly [K in keyof SyscallContext]: SyscallContext[K] } = {
    no: ev.no,
    name: ev.name,
    asid: BigInt(ev.asid),
    retaddr: BigInt(ev.retaddr),
    sp: BigInt(ev.sp),
    args: view.args,
    profile: ev.profile,
    dir: ev.dir,
    child: ev.child === true,
    event: ev,
  };
  if (ev.ret !== undefined) ctx.ret = BigInt(ev.ret);
  if (ev.errno !== undefined) ctx.errno = ev.errno;
  return ctx;
}

/** The info a per-syscall hook name stands for, or undefined (used by the loader's checks). */
export function infoOfHook(table: SyscallTable, hook: string): SyscallInfo | undefined {
  const m = /^on_(.+)_(enter|return)$/.exec(hook);
  if (!m) return undefined;
  return table.all().find((s) => s.fn === m[1]);
}
