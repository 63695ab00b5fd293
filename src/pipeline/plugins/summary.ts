/**
 * `summary`: strace -c's table (strace src/count.c): per call the share of time, seconds,
 * microseconds per call, calls and errors, sorted by time. A call's time runs from its
 * enter event to its return event (systrace's stop times, not the guest's clock); in the
 * default one-stop-per-call mode both are taken at the exit, so use `--mode entry` for
 * times. A fork-like call is counted once (the parent's return); a call that never returns
 * counts with no time.
 */
import type { TraceEvent } from '../../trace/event.js';
import type { BuiltinPlugin } from './builtin.js';

interface Row {
  name: string;
  usecs: number;
  calls: number;
  errors: number;
}

const DASHES = '------ ----------- ----------- --------- --------- ----------------';

/** The table strace -c prints, from the rows. */
export function formatSummary(rows: Iterable<Row>): string[] {
  const list = [...rows].sort((a, b) => b.usecs - a.usecs || b.calls - a.calls || (a.name < b.name ? -1 : 1));
  const total = list.reduce((s, r) => ({ usecs: s.usecs + r.usecs, calls: s.calls + r.calls, errors: s.errors + r.errors }), { usecs: 0, calls: 0, errors: 0 });
  const line = (pct: string, usecs: number, calls: number, errors: number, name: string): string =>
    `${pct.padStart(6)} ${(usecs / 1e6).toFixed(6).padStart(11)} ${String(calls === 0 ? 0 : Math.floor(usecs / calls)).padStart(11)} ${String(calls).padStart(9)} ${(errors ? String(errors) : '').padStart(9)} ${name}`;
  const out = ['% time     seconds  usecs/call     calls    errors syscall', DASHES];
  for (const r of list) out.push(line(total.usecs > 0 ? ((100 * r.usecs) / total.usecs).toFixed(2) : '0.00', r.usecs, r.calls, r.errors, r.name));
  out.push(DASHES, line('100.00', total.usecs, total.calls, total.errors, 'total'));
  return out;
}

const micros = (ev: TraceEvent): number => Math.round(ev.ts * 1e6);

export const summary: BuiltinPlugin = {
  name: 'summary',
  summary: "strace -c's table: time, calls and errors per syscall",
  options: {},
  needs: () => 'all',
  create(_options, api) {
    const rows = new Map<string, Row>();
    const started = new Map<number, number>();
    const row = (name: string): Row => {
      let r = rows.get(name);
      if (!r) rows.set(name, (r = { name, usecs: 0, calls: 0, errors: 0 }));
      return r;
    };
    return {
      name: 'summary',
      on_all_sys_enter2(_cpu, _pc, _info, ctx) {
        const ev = ctx.event;
        if (ev.noreturn) row(ev.name).calls++;
        else started.set(ev.call, micros(ev));
      },
      on_all_sys_return2(_cpu, _pc, _info, ctx) {
        const ev = ctx.event;
        if (ev.child) return;
        const r = row(ev.name);
        const t0 = started.get(ev.call);
        started.delete(ev.call);
        r.calls++;
        if (t0 !== undefined) r.usecs += Math.max(0, micros(ev) - t0);
        if (ev.errno !== undefined) r.errors++;
      },
      onEnd() {
        for (const l of formatSummary(rows.values())) api.out(l);
      },
    };
  },
};
