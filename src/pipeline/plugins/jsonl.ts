/** `jsonl`: one event per line, as `--json` writes them (docs/events.md); `systrace replay` reads this back. */
import { JsonSink } from '../../trace/sinks.js';
import type { BuiltinPlugin } from './builtin.js';

export const jsonl: BuiltinPlugin = {
  name: 'jsonl',
  summary: 'every event as a JSON line (a recording for systrace replay)',
  options: {},
  needs: () => 'all',
  create(_options, api) {
    const sink = new JsonSink(api.writer);
    return {
      name: 'jsonl',
      on_all_sys_enter2: (_cpu, _pc, _info, ctx) => sink.event(ctx.event),
      on_all_sys_return2: (_cpu, _pc, _info, ctx) => sink.event(ctx.event),
      onEnd: () => sink.end(),
    };
  },
};
