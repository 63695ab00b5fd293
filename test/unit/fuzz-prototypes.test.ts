/**
 * Fuzzing the prototype table parser (issue 8, item 4): a fixed seed, 100,000 slices of the
 * real prototypes/*.txt mutated by bytes, tokens and lines (test/fuzz/targets/prototypes.ts).
 */
import t from 'tap';
import { performance } from 'node:perf_hooks';
import { parsePrototypes, shortName } from '../../src/decode/prototypes.js';
import { assertFuzz, runFuzz } from '../fuzz/harness.js';

t.test('prototypes fuzz', async (t) => {
  const r = await runFuzz({
    name: 'prototypes',
    target: new URL('../fuzz/targets/prototypes.js', import.meta.url),
    seed: 0x5eed_0003,
    count: 100_000,
    workers: 2,
    hangMs: 10_000,
    budgetMs: 90_000,
  });
  assertFuzz(t, r);
});

// Found by the fuzzer.
t.test('function names that are Object.prototype keys are names, not renames', async (t) => {
  const table = parsePrototypes('1 long constructor(void);\n2 long hasOwnProperty(int a);\n3 long __proto__(void);', 'p.txt', 8, { sys_x: 'y' });
  t.same(table.all().map((s) => s.name), ['constructor', 'hasOwnProperty', '__proto__']);
  t.equal(shortName('toString'), 'toString');
  t.equal(shortName('sys_newstat', { sys_newstat: 'stat' }), 'stat');
});

t.test('a bare sys_ keeps a name', async (t) => {
  t.equal(parsePrototypes('1 long sys_(void);', 'p.txt', 8).getSyscallInfo(1)?.name, 'sys_');
});

t.test('a line beyond 1024 characters is refused at once (the patterns backtrack quadratically)', async (t) => {
  const long = `85 NTSTATUS NtLoadDriver(${'PUNICODE_STRING'.repeat(3000)});`;
  const start = performance.now();
  t.throws(() => parsePrototypes(`// header\n${long}`, 'p.txt', 4), { code: 'CONFIG_INVALID', message: 'p.txt:2: line longer than 1024 characters' });
  t.ok(performance.now() - start < 100, 'refused quickly');
  t.equal(parsePrototypes(`1 long f(${'a'.repeat(1000)});`, 'p.txt', 8).getSyscallInfo(1)?.nargs, 1, 'a long line within the limit still parses');
});
