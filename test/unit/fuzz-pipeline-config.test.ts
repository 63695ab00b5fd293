/**
 * Fuzzing the pipeline's config and rules loader (src/pipeline/config.ts and
 * rules/ruleset.ts, as `systrace validate` runs them) on mutations of the documented
 * examples (test/fuzz/targets/pipeline-config.ts). 25,000 inputs: each is written to a file
 * and read back, ~0.7 ms an input; FUZZ_SCALE=4 runs 100,000.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { loadConfigs } from '../../src/pipeline/config.js';
import { Diagnostics } from '../../src/pipeline/diagnostics.js';
import { assertFuzz, runFuzz } from '../fuzz/harness.js';

t.test('pipeline-config fuzz', async (t) => {
  const r = await runFuzz({
    name: 'pipeline-config',
    target: new URL('../fuzz/targets/pipeline-config.js', import.meta.url),
    seed: 0x5eed_0007,
    count: 25_000,
    workers: 2,
    hangMs: 10_000,
    budgetMs: 90_000,
  });
  assertFuzz(t, r);
});

// Found by the fuzzer, fixed in src/pipeline (include cycles, the yaml parser's stack overflow).

function load(files: Record<string, string>, first: string): unknown {
  const dir = mkdtempSync(join(tmpdir(), 'systrace-pc-'));
  try {
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
    const diag = new Diagnostics();
    loadConfigs([join(dir, first)], diag);
    diag.throwIfAny();
    return undefined;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

t.test('a rules file that includes itself is a config error', async (t) => {
  t.throws(() => load({ 'self.yaml': '- ./self.yaml\n- rule: r\n  condition: ret < 0\n  output: x\n' }, 'self.yaml'), { code: 'CONFIG_INVALID' });
  t.throws(() => load({ 'a.yaml': '- ./b.yaml\n', 'b.yaml': '- ./a.yaml\n' }, 'a.yaml'), { code: 'CONFIG_INVALID' });
});

t.test('a config nested thousands deep is a config error', async (t) => {
  t.throws(() => load({ 'deep.yaml': `rules:\n  - rule: ${'r: '.repeat(4000)}x\n` }, 'deep.yaml'), { code: 'CONFIG_INVALID' });
});
