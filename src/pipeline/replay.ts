/**
 * `systrace replay`: a recorded JSONL trace (`--json`, or the jsonl plugin) through a
 * pipeline, offline. Events are dispatched exactly as the live session emitted them, so
 * plugins and rules give the same output; a stop ends the replay at that event.
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { TraceEvent } from '../trace/event.js';
import { UserError, at } from '../util/errors.js';
import type { Pipeline } from './pipeline.js';

/** Why a line is not an event, or undefined when it is one. */
function checkEvent(ev: unknown): string | undefined {
  if (ev === null || typeof ev !== 'object') return 'expected a JSON object';
  const e = ev as Record<string, unknown>;
  for (const k of ['seq', 'call', 'cpu', 'no'] as const) if (typeof e[k] !== 'number') return `expected a number '${k}'`;
  for (const k of ['asid', 'pc', 'retaddr', 'sp', 'name', 'profile'] as const) if (typeof e[k] !== 'string') return `expected a string '${k}'`;
  if (e.dir !== 'enter' && e.dir !== 'return') return "expected 'dir' enter or return";
  if (typeof e.ts !== 'number') return "expected a number 'ts'";
  if (!Array.isArray(e.args) || e.args.some((a) => !a || typeof (a as { raw?: unknown }).raw !== 'string' || typeof (a as { name?: unknown }).name !== 'string')) {
    return "expected 'args' as a list of {name, type, raw}";
  }
  return undefined;
}

/** Reads the events of `file` one at a time; a bad line is an error naming file:line. */
export async function* readTrace(file: string): AsyncGenerator<TraceEvent> {
  const stream = createReadStream(file, 'utf8');
  const opened = new Promise<void>((resolve, reject) => {
    stream.once('open', () => resolve());
    stream.once('error', (e: NodeJS.ErrnoException) => reject(new UserError('FILE_NOT_FOUND', `cannot read trace ${file}: ${e.code === 'ENOENT' ? 'no such file' : e.message}`)));
  });
  await opened;
  let n = 0;
  try {
    for await (const line of createInterface({ input: stream, crlfDelay: Infinity })) {
      n++;
      if (line.trim() === '') continue;
      let ev: unknown;
      try {
        ev = JSON.parse(line);
      } catch {
        throw new UserError('CONFIG_INVALID', `${at(file, n)}: expected a JSON event per line (docs/events.md)`);
      }
      const why = checkEvent(ev);
      if (why) throw new UserError('CONFIG_INVALID', `${at(file, n)}: ${why} (docs/events.md)`);
      yield ev as TraceEvent;
    }
  } finally {
    stream.destroy();
  }
}

/** The profile a trace was recorded with (its first event's `profile`), or undefined for an empty trace. */
export async function traceProfile(file: string): Promise<string | undefined> {
  for await (const ev of readTrace(file)) return ev.profile;
  return undefined;
}

/** Dispatches every event of `file`; stops early when the pipeline asked to stop. */
export async function replayTrace(file: string, pipeline: Pipeline): Promise<{ events: number; stopped: boolean }> {
  let events = 0;
  for await (const ev of readTrace(file)) {
    events++;
    pipeline.dispatch(ev);
    if (pipeline.state.stopReason !== undefined) return { events, stopped: true };
  }
  return { events, stopped: false };
}
