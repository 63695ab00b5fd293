/**
 * Worker side of the fuzz harness: imports a target module, runs inputs `from..to` with
 * `Prng.forInput(seed, i)`, publishes the input in progress through shared memory (so the
 * main thread can name a hanging input and stop it) and posts the counts at the end.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { performance } from 'node:perf_hooks';
import { Prng } from './prng.js';
import type { FuzzTarget } from './target.js';

export interface WorkerJob {
  target: string;
  seed: number;
  from: number;
  to: number;
  /** Int32Array view: [0] input in progress, [1] inputs finished, [2] set by the main thread to stop early. */
  progress: SharedArrayBuffer;
  maxFailures: number;
}

export interface FailureInfo {
  index: number;
  kind: 'crash' | 'invariant' | 'unhandled';
  message: string;
}

export interface WorkerResult {
  done: number;
  failures: number;
  samples: FailureInfo[];
  maxMs: number;
  maxIndex: number;
  totalMs: number;
  outcomes: Record<string, number>;
}

const job = workerData as WorkerJob;
const progress = new Int32Array(job.progress);
const samples: FailureInfo[] = [];
let failures = 0;
let current = -1;

function record(index: number, kind: FailureInfo['kind'], e: unknown): void {
  failures++;
  if (samples.length < job.maxFailures) {
    const err = e as { name?: string; stack?: string; message?: string };
    const message = err?.name === 'FuzzFailure' ? String(err.message) : String(err?.stack ?? e);
    samples.push({ index, kind, message: message.split('\n').slice(0, 8).join('\n') });
  }
}

// Asynchronous targets must not leave rejections or exceptions behind them. They surface
// when the loop next yields, so the input named is the one running then, or a later one.
process.on('unhandledRejection', (e) => record(current, 'unhandled', e));
process.on('uncaughtException', (e) => record(current, 'unhandled', e));

const mod = (await import(job.target)) as { target: FuzzTarget<unknown> };
const target = mod.target;
const state = await target.setup?.();
const outcomes: Record<string, number> = {};
let maxMs = 0;
let maxIndex = -1;
const start = performance.now();
let done = 0;
for (let i = job.from; i < job.to && Atomics.load(progress, 2) === 0; i++) {
  current = i;
  Atomics.store(progress, 0, i);
  const t0 = performance.now();
  try {
    const r = target.run(Prng.forInput(job.seed, i), state, i);
    const outcome = typeof r === 'string' ? r : await r;
    outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
  } catch (e) {
    record(i, (e as Error)?.name === 'FuzzFailure' ? 'invariant' : 'crash', e);
  }
  const dt = performance.now() - t0;
  if (dt > maxMs) {
    maxMs = dt;
    maxIndex = i;
  }
  done = i - job.from + 1;
  Atomics.store(progress, 1, done);
}
await target.teardown?.(state);
// Late rejections of the last inputs surface within a tick or two.
await new Promise((r) => setTimeout(r, 20));
const result: WorkerResult = { done, failures, samples, maxMs, maxIndex, totalMs: performance.now() - start, outcomes };
parentPort!.postMessage(result);
