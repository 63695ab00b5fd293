// RSS over a million events (issue 9, item 5): the recorded guest trace in
// test/fixtures/pipeline/guest-entry.jsonl, replayed in a loop with fresh seq/call numbers
// through the pipeline a live trace uses (print to /dev/null, summary, count, filereadmon),
// as the guest is far too slow to make a million calls. Prints RSS at start and end.
// Usage: node --expose-gc bench/rss.mjs [EVENTS]   (after npx tsc -p .)
import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadProfile } from '../dist/src/profile/profile.js';
import { loadPrototypes } from '../dist/src/decode/prototypes.js';
import { buildPipeline } from '../dist/src/pipeline/loader.js';

const total = Number(process.argv[2] ?? 1_000_000);
const template = readFileSync(new URL('../test/fixtures/pipeline/guest-entry.jsonl', import.meta.url), 'utf8')
  .split('\n')
  .filter(Boolean)
  .map((l) => JSON.parse(l));
const profile = loadProfile('linux_x64');
const table = loadPrototypes(profile.prototypes, profile.wordSize, profile.names);
const dir = mkdtempSync(join(tmpdir(), 'systrace-rss-'));
const config = join(dir, 'bench.yaml');
writeFileSync(config, 'plugins:\n  - name: print\n  - name: summary\n  - name: count\n  - name: filereadmon\n');
const { pipeline, outputs } = await buildPipeline({ profile, table, configs: [config], output: '/dev/null', prefix: true, live: false });
await pipeline.start();
const mb = () => process.memoryUsage().rss / 1048576;
globalThis.gc?.();
const maxCall = Math.max(...template.map((e) => e.call));
const start = mb();
let seq = 0;
const t0 = Date.now();
const samples = [];
for (let round = 0; seq < total; round++) {
  for (const ev of template) {
    if (seq >= total) break;
    pipeline.dispatch({ ...ev, seq: ++seq, call: ev.call + round * maxCall, ts: ev.ts + round });
    if (seq % 2_000 === 0) await new Promise((r) => setTimeout(r, 0)); // let written output drain
    if (seq % 100_000 === 0) {
      await new Promise((r) => setTimeout(r, 20));
      globalThis.gc?.();
      samples.push(mb().toFixed(1));
    }
  }
}
await pipeline.end();
await outputs.end();
globalThis.gc?.();
const end = mb();
const secs = (Date.now() - t0) / 1000;
const warm = Number(samples[1] ?? samples[0]);
console.log(`rss: growth after warm-up (200k to ${total / 1000}k events): ${(end - warm).toFixed(1)} MB`);
console.log(`rss: ${total} events in ${secs.toFixed(1)} s (${Math.round(total / secs)} events/s); RSS ${start.toFixed(1)} MB at start, ${end.toFixed(1)} MB at end, growth ${(end - start).toFixed(1)} MB (goal < 20 MB); every 100k: ${samples.join(' ')}`);
