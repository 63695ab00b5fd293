/**
 * What a fuzz target module exports: `target`, a plain object run once per input by the
 * worker in `worker.ts`. Targets have no tap dependency, so they load inside a worker.
 */
import type { Prng } from './prng.js';

export interface FuzzTarget<S = unknown> {
  /** Once per worker, before the first input (e.g. reading the real data files). */
  setup?(): S | Promise<S>;
  /**
   * One input, built from `rng` (a generator for this input alone). Returns a label that
   * is counted (`'table'`, `'UserError'`...) so the report shows which paths the inputs
   * reached. Any exception is a crash: the documented outcomes are caught in `run`.
   */
  run(rng: Prng, state: S, index: number): string | Promise<string>;
  teardown?(state: S): void | Promise<void>;
}

/** An invariant broken by an input (as opposed to an exception of the code under test). */
export class FuzzFailure extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FuzzFailure';
  }
}

/** Throws FuzzFailure unless `cond`. */
export function check(cond: unknown, message: string | (() => string)): asserts cond {
  if (!cond) throw new FuzzFailure(typeof message === 'string' ? message : message());
}

/** A short printable view of bytes or text for failure messages. */
export function show(data: Uint8Array | string, max = 120): string {
  const s = typeof data === 'string' ? data : Buffer.from(data).toString('latin1');
  const cut = s.length > max ? s.slice(0, max) : s;
  return JSON.stringify(cut) + (s.length > max ? `... (${s.length} chars)` : '');
}
