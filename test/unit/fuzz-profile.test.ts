/**
 * Fuzzing the YAML profile loader (issue 8, item 4): a fixed seed, 100,000 mutations of the
 * real profiles/*.yaml (test/fuzz/targets/profile.ts), split over both cores.
 */
import t from 'tap';
import { parseProfile } from '../../src/profile/profile.js';
import { assertFuzz, runFuzz } from '../fuzz/harness.js';
import { profileFiles } from '../fuzz/tables.js';

t.test('profile fuzz', async (t) => {
  const r = await runFuzz({
    name: 'profile',
    target: new URL('../fuzz/targets/profile.js', import.meta.url),
    seed: 0x5eed_0004,
    count: 100_000,
    workers: 2,
    hangMs: 10_000,
    budgetMs: 90_000,
  });
  assertFuzz(t, r);
});

// Found by the fuzzer.
const real = profileFiles().find((f) => f.path.endsWith('linux_x64.yaml'))!;

t.test('a profile nested thousands deep is a CONFIG_INVALID error, not a RangeError', async (t) => {
  const text = real.text.replace(/^( {2}regs_arg: )/m, `$1${'s_arg: '.repeat(3200)}`);
  t.throws(() => parseProfile(text, 'p.yaml'), { code: 'CONFIG_INVALID', message: /^p\.yaml:1:1: cannot parse: Maximum call stack size exceeded/ });
});

t.test('numbers in a profile are integers', async (t) => {
  for (const [from, to] of [
    ['errno_max: 4095', 'errno_max: .nan'],
    ['errno_max: 4095', 'errno_max: 4095.5'],
    ['breakpoint_kind: 1', 'breakpoint_kind: 18446744073709551616'],
    ['args: [112, 104,', 'args: [.inf, 104,'],
    ['args: [112, 104,', 'args: [1.5, 104,'],
  ] as const) {
    t.ok(real.text.includes(from), from);
    t.throws(() => parseProfile(real.text.replace(from, to), 'p.yaml'), { code: 'CONFIG_INVALID', message: /^p\.yaml:\d+:\d+: '[a-z_.]+' must be/ }, to);
  }
  t.equal(parseProfile(real.text, 'p.yaml').errnoMax, 4095);
});

t.test('an empty or comment-only profile is an error at 1:1', async (t) => {
  for (const text of ['', '# only a comment\n', '\n\n']) {
    t.throws(() => parseProfile(text, 'p.yaml'), { code: 'CONFIG_INVALID', message: 'p.yaml:1:1: a profile must be a mapping' }, JSON.stringify(text));
  }
});
