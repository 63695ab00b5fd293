/** `print`: strace's text, with `<unfinished ...>` and `<... resumed>` (the TextSink of src/trace/sinks.ts). */
import { argsOf, firstExitArg } from '../../decode/decoder.js';
import { TextSink } from '../../trace/sinks.js';
import type { BuiltinPlugin } from './builtin.js';

export const print: BuiltinPlugin = {
  name: 'print',
  summary: 'the trace as strace prints it',
  options: { prefix: 'boolean' },
  needs: () => 'all',
  create(options, api, env) {
    const sink = new TextSink(api.writer, {
      prefix: (options.prefix as boolean | undefined) ?? env.prefix,
      firstExitArg: (ev) => firstExitArg(argsOf(env.table.getSyscallInfo(ev.no), ev.args.map((a) => BigInt(a.raw)))),
    });
    return {
      name: 'print',
      on_all_sys_enter2: (_cpu, _pc, _info, ctx) => sink.event(ctx.event),
      on_all_sys_return2: (_cpu, _pc, _info, ctx) => sink.event(ctx.event),
      onEnd: () => sink.end(),
    };
  },
};
