/**
 * Main side of the fuzz harness: runs a target module in worker threads (so a synchronous
 * hang can be detected and stopped), watches each worker's input in progress, and reports
 * the counts to tap in one line CI logs show, e.g.
 * `rsp-reader: 100000 inputs, 0 crashes, 0 hangs, max 0.3 ms/input, 2.1 s`.
 *
 * Environment, for longer local runs or to replay one input:
 * FUZZ_SEED (number), FUZZ_SCALE (multiplies the input count), FUZZ_INPUT (run only that index).
 */
import { Worker } from 'node:worker_threads';
import { performance } from 'node:perf_hooks';
import type { FailureInfo, WorkerJob, WorkerResult } from './worker.js';

export interface FuzzOptions {
  /** Label in the report. */
  name: string;
  /** The target module (compiled), e.g. `new URL('../fuzz/targets/rsp-reader.js', import.meta.url)`. */
  target: URL;
  seed: number;
  count: number;
  /** Workers run disjoint index ranges in parallel (CI has 2 cores). */
  workers?: number;
  /** An input still running after this long is a hang: its worker is stopped. */
  hangMs?: number;
  /** The whole run must end within this; workers still running are stopped. */
  budgetMs?: number;
}

export interface FuzzReport {
  name: string;
  seed: number;
  /** Inputs asked for and inputs that finished. */
  count: number;
  done: number;
  crashes: number;
  hangs: number;
  overBudget: boolean;
  samples: FailureInfo[];
  maxMs: number;
  maxIndex: number;
  wallMs: number;
  outcomes: Record<string, number>;
}

/** The minimum of tap's Test that the report needs. */
export interface TapLike {
  comment(...args: unknown[]): void;
  equal(found: unknown, wanted: unknown, message: string): unknown;
  ok(value: unknown, message: string): unknown;
}

function envNumber(name: string): number | undefined {
  const v = process.env[name];
  return v === undefined || v === '' || !Number.isFinite(Number(v)) ? undefined : Number(v);
}

export async function runFuzz(opts: FuzzOptions): Promise<FuzzReport> {
  const seed = envNumber('FUZZ_SEED') ?? opts.seed;
  const only = envNumber('FUZZ_INPUT');
  const count = only !== undefined ? 1 : Math.round(opts.count * (envNumber('FUZZ_SCALE') ?? 1));
  const first = only ?? 0;
  const nWorkers = Math.max(1, Math.min(opts.workers ?? 1, count));
  const hangMs = opts.hangMs ?? 5_000;
  const budgetMs = (opts.budgetMs ?? 60_000) * Math.max(1, envNumber('FUZZ_SCALE') ?? 1);
  const report: FuzzReport = {
    name: opts.name, seed, count, done: 0, crashes: 0, hangs: 0, overBudget: false, samples: [], maxMs: 0, maxIndex: -1, wallMs: 0, outcomes: {},
  };
  const start = performance.now();
  const runs: Array<Promise<void>> = [];
  for (let w = 0; w < nWorkers; w++) {
    const from = first + Math.floor((count * w) / nWorkers);
    const to = first + Math.floor((count * (w + 1)) / nWorkers);
    const progress = new SharedArrayBuffer(12);
    const view = new Int32Array(progress);
    Atomics.store(view, 0, from);
    const job: WorkerJob = { target: opts.target.href, seed, from, to, progress, maxFailures: 10 };
    const worker = new Worker(new URL('./worker.js', import.meta.url), { workerData: job });
    runs.push(
      new Promise<void>((resolve) => {
        let lastDone = 0;
        let lastChange = performance.now();
        let finished = false;
        const stop = (): void => {
          finished = true;
          clearInterval(watch);
          resolve();
        };
        const watch = setInterval(() => {
          const doneNow = Atomics.load(view, 1);
          const now = performance.now();
          if (doneNow !== lastDone) {
            lastDone = doneNow;
            lastChange = now;
          }
          const index = Atomics.load(view, 0);
          if (now - lastChange > hangMs) {
            report.hangs++;
            report.done += doneNow;
            report.samples.push({ index, kind: 'crash', message: `hang: input ${index} still running after ${hangMs} ms` });
            void worker.terminate();
            stop();
          } else if (now - start > budgetMs && Atomics.load(view, 2) === 0) {
            // Asks the worker to stop after this input; it then reports what it has done.
            report.overBudget = true;
            Atomics.store(view, 2, 1);
          }
        }, 50);
        worker.on('message', (r: WorkerResult) => {
          if (finished) return;
          report.done += r.done;
          report.crashes += r.failures;
          report.samples.push(...r.samples);
          if (r.maxMs > report.maxMs) {
            report.maxMs = r.maxMs;
            report.maxIndex = r.maxIndex;
          }
          for (const [k, v] of Object.entries(r.outcomes)) report.outcomes[k] = (report.outcomes[k] ?? 0) + v;
        });
        worker.on('error', (e) => {
          if (finished) return;
          report.crashes++;
          report.samples.push({ index: Atomics.load(view, 0), kind: 'crash', message: `worker died: ${String((e as Error)?.stack ?? e)}` });
          stop();
        });
        worker.on('exit', () => {
          if (!finished) stop();
        });
      }),
    );
  }
  await Promise.all(runs);
  report.wallMs = performance.now() - start;
  return report;
}

/** The one-line summary CI logs show. */
export function summary(r: FuzzReport): string {
  const outcomes = Object.entries(r.outcomes)
    .sort((a, b) => b[1] - a[1])
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
  return (
    `${r.name}: ${r.done} inputs, ${r.crashes} crashes, ${r.hangs} hangs, max ${r.maxMs.toFixed(2)} ms/input` +
    ` (input ${r.maxIndex}), ${(r.wallMs / 1000).toFixed(1)} s, seed ${r.seed}` + (outcomes ? ` [${outcomes}]` : '')
  );
}

/** Control characters and non-ASCII as escapes: raw bytes in a comment can break the TAP stream. */
function printable(s: string): string {
  return s.replace(/[^\n\x20-\x7e]/g, (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'));
}

/** Prints the summary and the first failures, and asserts 0 crashes, 0 hangs, all inputs run. */
export function assertFuzz(t: TapLike, r: FuzzReport, minInputs = r.count): void {
  t.comment(summary(r));
  for (const s of r.samples) {
    const lines = printable(s.message).split('\n');
    const which = s.kind === 'unhandled' ? `input ${s.index} or one before it` : `input ${s.index}`;
    t.comment(`  ${which} (${s.kind}; replay with FUZZ_SEED=${r.seed} FUZZ_INPUT=${s.index}): ${lines[0]}`);
    for (const line of lines.slice(1)) t.comment(`    ${line}`);
  }
  t.equal(r.crashes, 0, `${r.name}: no crashes or broken invariants`);
  t.equal(r.hangs, 0, `${r.name}: no hangs`);
  t.ok(!r.overBudget, `${r.name}: within the time budget`);
  t.ok(r.done >= minInputs, `${r.name}: at least ${minInputs} inputs ran (${r.done})`);
}
