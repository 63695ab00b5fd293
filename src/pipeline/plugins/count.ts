/**
 * `count`: completed calls counted by a field (`by`, default `syscall.name`; any field a
 * rule can name: `errno`, `asid`, `arg.filename`...), most frequent first. A call counts
 * once, on the event that completes it (a return, or the enter of a call that never returns).
 */
import { EventView } from '../args.js';
import { resolveField, type FieldDef } from '../rules/fields.js';
import type { BuiltinPlugin } from './builtin.js';

/** Argument names of a table, for field checks. */
export function argNamesOf(table: { all(): { args: { name: string }[] }[] }): Set<string> {
  return new Set(table.all().flatMap((s) => s.args.map((a) => a.name)));
}

export const count: BuiltinPlugin = {
  name: 'count',
  summary: 'completed calls counted by a field (by: syscall.name)',
  options: { by: 'string' },
  needs: () => 'all',
  create(options, api, env) {
    const by = (options.by as string | undefined) ?? 'syscall.name';
    const f = resolveField(by, argNamesOf(env.table));
    if (typeof f === 'string') throw new Error(`option by: ${f}`);
    const field: FieldDef = f;
    const counts = new Map<string, number>();
    const take = (ev: EventView): void => {
      const v = field.show ? field.show(ev) : field.get(ev);
      const key = v === undefined ? '<NA>' : String(v);
      counts.set(key, (counts.get(key) ?? 0) + 1);
    };
    return {
      name: 'count',
      on_all_sys_enter2(_cpu, _pc, info, ctx) {
        if (ctx.event.noreturn) take(new EventView(ctx.event, info));
      },
      on_all_sys_return2(_cpu, _pc, info, ctx) {
        if (!ctx.child) take(new EventView(ctx.event, info));
      },
      onEnd() {
        const rows = [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
        api.out(`    calls ${by}`);
        for (const [k, n] of rows) api.out(`${String(n).padStart(9)} ${k}`);
      },
    };
  },
};
