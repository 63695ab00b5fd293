/**
 * `rules`: runs the rules of every config (lists, macros, rules in Falco's spirit; see
 * docs/plugins.md) on each event. A match prints `<Priority> [<rule>] <output>` (action
 * log), is only counted (count), prints the arguments too (dump), pauses the guest
 * (stop), or fails the run (fail: systrace exits 1 at the end). Lines go to stderr unless
 * `output` says otherwise. `min_priority` leaves out less severe rules.
 */
import { EventView } from '../args.js';
import { PRIORITIES, type Priority } from '../rules/items.js';
import type { CompiledRule } from '../rules/ruleset.js';
import { syscallsOf, UNKNOWN } from '../rules/syscall-set.js';
import type { BuiltinEnv, BuiltinPlugin } from './builtin.js';

/** The enabled rules at or above `min_priority`. */
export function activeRules(options: Readonly<Record<string, unknown>>, env: BuiltinEnv): CompiledRule[] {
  const min = options.min_priority as Priority | undefined;
  const limit = min === undefined ? PRIORITIES.length : PRIORITIES.indexOf(min);
  return env.rules.filter((r) => r.enabled && PRIORITIES.indexOf(r.priority) <= limit);
}

const title = (p: Priority): string => p[0]!.toUpperCase() + p.slice(1);

/** The lines action dump adds: every argument, raw and decoded, and a hex dump of strings. */
export function dumpLines(v: EventView): string[] {
  const out: string[] = [];
  for (const a of v.args) {
    out.push(`    ${a.name} (${a.type}) = ${a.raw < 0n ? a.raw : '0x' + a.raw.toString(16)}${a.text !== undefined ? `  ${a.text}` : ''}`);
    if (typeof a.value === 'string') {
      const bytes = Buffer.from(a.value, 'latin1');
      for (let i = 0; i < bytes.length; i += 16) {
        const chunk = bytes.subarray(i, i + 16);
        const hex = [...chunk].map((b) => b.toString(16).padStart(2, '0')).join(' ');
        const ascii = [...chunk].map((b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.')).join('');
        out.push(`      ${i.toString(16).padStart(4, '0')}  ${hex.padEnd(47)}  ${ascii}`);
      }
    }
  }
  return out;
}

export const rules: BuiltinPlugin = {
  name: 'rules',
  summary: 'rules from the configs: conditions, outputs and actions (log, count, dump, stop, fail)',
  options: { min_priority: 'string' },
  defaultOutput: '-',
  needs(options, env) {
    const names = new Set<string>();
    const table = env.table.all();
    for (const r of activeRules(options, env)) {
      for (const n of syscallsOf(r.resolved, table)) {
        if (n === UNKNOWN) return 'all';
        names.add(n);
      }
    }
    return names;
  },
  create(options, api, env) {
    const min = options.min_priority;
    if (min !== undefined && !(PRIORITIES as readonly unknown[]).includes(min)) throw new Error(`min_priority: expected one of ${PRIORITIES.join(', ')}, got '${String(min)}'`);
    const active = activeRules(options, env);
    const matches = new Map<CompiledRule, number>(active.map((r) => [r, 0]));
    const onEvent = (v: EventView): void => {
      for (const r of active) {
        if (!r.test(v)) continue;
        matches.set(r, matches.get(r)! + 1);
        if (r.action === 'count') continue;
        api.out(`${title(r.priority)} [${r.name}] ${r.output!(v)}`);
        if (r.action === 'dump') for (const l of dumpLines(v)) api.out(l);
        if (r.action === 'stop') api.stop(`rule '${r.name}' matched event #${v.ev.seq}`);
      }
    };
    return {
      name: 'rules',
      on_all_sys_enter2: (_cpu, _pc, info, ctx) => onEvent(new EventView(ctx.event, info)),
      on_all_sys_return2: (_cpu, _pc, info, ctx) => onEvent(new EventView(ctx.event, info)),
      onEnd() {
        for (const [r, n] of matches) {
          if (r.action === 'count') api.out(`rule ${r.name}: ${n} match${n === 1 ? '' : 'es'}`);
          if (r.action === 'fail' && n > 0) api.fail(`rule '${r.name}' (action fail) matched ${n} time${n === 1 ? '' : 's'}`);
        }
      },
    };
  },
};
