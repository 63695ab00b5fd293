/**
 * The union of the calls the pipeline's plugins and enabled rules need: the selective
 * mode stops the guest only for these. `all` when any plugin or rule needs every call
 * (an output plugin, an `on_all_*` hook, a rule that can match an unknown number...).
 */
import type { LoadedPlugin } from './pipeline.js';

export type Needs = { all: true; reason: string } | { all: false; names: ReadonlySet<string> };

export function neededSyscalls(plugins: readonly LoadedPlugin[]): Needs {
  const names = new Set<string>();
  for (const p of plugins) {
    if (p.needs === 'all') return { all: true, reason: `plugin ${p.name} needs every call` };
    for (const n of p.needs) names.add(n);
  }
  return { all: false, names };
}

/** `all (why)` or the names, sorted, comma-separated (what `systrace validate --needs` prints). */
export function formatNeeds(n: Needs): string {
  return n.all ? `all (${n.reason})` : [...n.names].sort().join(',');
}
