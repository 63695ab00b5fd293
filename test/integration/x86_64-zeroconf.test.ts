/**
 * Zero-config: `systrace run -- qemu...` with no --profile and no --symbols detects the
 * profile from the stub and reads the kernel's own kallsyms tables from guest memory (KASLR
 * on), then traces the test program exactly as the tests with symbols do; a second run finds
 * the kernel in its cache. Also the offline route (`symbols --from-image`) and the Perfetto
 * timeline of a real trace.
 */
import t from 'tap';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cleanEnv, GUEST, guestReady, missingFromSubsequence, parseSystest, qemuCommand, readEvents, run, SYSTRACE } from './guest.js';

const notReady = guestReady();
if (notReady) t.fail(notReady);
else {
  const dir = mkdtempSync(join(tmpdir(), 'systrace-zeroconf-'));
  const cache = join(dir, 'cache');

  async function zeroConfigRun(n: number) {
    const traceFile = join(dir, `trace${n}.jsonl`);
    const timeline = join(dir, `timeline${n}.json`);
    const res = await run(process.execPath, [SYSTRACE, 'run', '--json', '-o', traceFile, '--perfetto', timeline, '--', ...qemuCommand()], {
      timeoutMs: 600_000,
      env: { ...cleanEnv(), SYSTRACE_CACHE_DIR: cache },
    });
    return { res, traceFile, timeline };
  }

  for (const n of [1, 2]) {
    await t.test(n === 1 ? 'first run: symbols found in guest memory' : 'second run: symbols from the cache', async (t) => {
      const { res, traceFile, timeline } = await zeroConfigRun(n);
      t.equal(res.code, 0, 'exit 0', { stderr: res.stderr.slice(-2000) });
      t.match(res.stderr, /profile linux_x64 \(the stub describes a i386:x86-64 target/, 'the profile is detected and said');
      t.match(res.stderr, n === 1 ? /kernel symbols: \d+ from guest memory/ : /kernel symbols: \d+ from the cache /, n === 1 ? 'symbols read from guest memory' : 'symbols from the cache');
      const expected = parseSystest(res.stdout);
      t.ok(expected, 'the test program ran');
      const lines = readEvents(traceFile).filter((e) => e.line !== undefined).map((e) => e.line!);
      for (const tag of ['main', 'thread', 'fchild', 'vchild']) {
        const want = expected!.lines.filter((l) => l.tag === tag).map((l) => l.line);
        t.equal(missingFromSubsequence(want, lines), undefined, `every ${tag} call traced and decoded exactly`);
      }
      const doc = JSON.parse(readFileSync(timeline, 'utf8')) as { traceEvents: Array<Record<string, unknown>> };
      t.ok(doc.traceEvents.length > 100, `the Perfetto timeline has events (${doc.traceEvents.length})`);
      t.ok(doc.traceEvents.every((e) => typeof e.ph === 'string' && typeof e.ts === 'number' && typeof e.pid === 'number' && typeof e.tid === 'number' && typeof e.name === 'string'), 'each event has ph, ts, pid, tid, name');
      t.ok(doc.traceEvents.filter((e) => e.ph === 'X').every((e) => typeof e.dur === 'number' && (e.dur as number) >= 0), 'slices are complete (balanced)');
    });
  }

  await t.test('symbols --from-image: the same table as the guest dump, shifted by the slide', async (t) => {
    const out = join(dir, 'image.map');
    const res = await run(process.execPath, [SYSTRACE, 'symbols', '--from-image', join(GUEST, 'vmlinuz'), '-o', out], { timeoutMs: 120_000 });
    t.equal(res.code, 0, 'exit 0', { stderr: res.stderr });
    const parse = (file: string) => new Map(readFileSync(file, 'utf8').split('\n').filter((l) => /^[0-9a-f]{16} [tT] /.test(l)).map((l) => [l.slice(19), BigInt('0x' + l.slice(0, 16))] as const));
    const image = parse(out);
    const dump = parse(join(GUEST, 'kallsyms'));
    const slide = dump.get('_text')! - image.get('_text')!;
    for (const name of ['entry_SYSCALL_64', 'syscall_exit_to_user_mode', 'begin_new_exec', '__x64_sys_openat', 'asm_exc_page_fault']) {
      t.equal(image.get(name)! + slide, dump.get(name), `${name} agrees`);
    }
    t.ok(image.size > 40_000, `${image.size} text symbols`);
  });
}
