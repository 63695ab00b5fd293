/**
 * Checks a plugin's hooks against the profile (a misspelt `on_sys_opneat_enter` would
 * otherwise never run), and works out which calls a plugin needs.
 */
import type { SyscallTable } from '../decode/prototypes.js';
import { GENERIC_HOOKS, type Plugin } from './plugin.js';
import { closest } from './rules/fields.js';

/** Every property name of `obj`, own or inherited (class methods), up to Object.prototype. */
function propertyNames(obj: object): string[] {
  const names = new Set<string>();
  for (let o: object | null = obj; o && o !== Object.prototype; o = Object.getPrototypeOf(o) as object | null) {
    for (const n of Object.getOwnPropertyNames(o)) if (n !== 'constructor') names.add(n);
  }
  return [...names];
}

/** Problems with the hooks of `plugin`, as messages (empty when all is well). */
export function checkHooks(plugin: Plugin, table: SyscallTable): string[] {
  const problems: string[] = [];
  const fns = new Set(table.all().map((s) => s.fn));
  const rec = plugin as unknown as Record<string, unknown>;
  for (const name of propertyNames(plugin)) {
    const v = rec[name];
    if (name === 'onStart' || name === 'onEnd' || name.startsWith('on_')) {
      if (typeof v !== 'function') problems.push(`'${name}' must be a function`);
    }
    if (!name.startsWith('on_') || (GENERIC_HOOKS as readonly string[]).includes(name)) continue;
    const m = /^on_(.+)_(enter|return)$/.exec(name);
    if (m && fns.has(m[1]!)) continue;
    const all = [...fns].flatMap((f) => [`on_${f}_enter`, `on_${f}_return`]).concat(GENERIC_HOOKS);
    const near = closest(name, all);
    problems.push(`hook '${name}' names no call of this profile${near ? ` (did you mean ${near}?)` : ''}; hooks are named after the prototype's function (systrace syscalls shows them)`);
  }
  if (plugin.needs !== undefined && plugin.needs !== 'all') {
    if (!Array.isArray(plugin.needs)) problems.push(`'needs' must be 'all' or a list of syscall names`);
    else for (const n of plugin.needs) if (!table.byShortName(n)) problems.push(`'needs' names '${n}', which is not a syscall of this profile`);
  }
  return problems;
}

/** The calls a plugin must see: its `needs`, else its per-syscall hooks; any generic hook means all. */
export function needsOfPlugin(plugin: Plugin, table: SyscallTable): 'all' | ReadonlySet<string> {
  if (plugin.needs === 'all') return 'all';
  if (Array.isArray(plugin.needs)) return new Set(plugin.needs);
  const names = new Set<string>();
  const byFn = new Map(table.all().map((s) => [s.fn, s.name]));
  for (const n of propertyNames(plugin)) {
    if ((GENERIC_HOOKS as readonly string[]).includes(n)) return 'all';
    const m = /^on_(.+)_(enter|return)$/.exec(n);
    const short = m ? byFn.get(m[1]!) : undefined;
    if (short) names.add(short);
  }
  return names;
}
