/**
 * Zero-config symbols on every Linux test guest: `systrace symbols --gdb` recovers the kernel's
 * kallsyms tables from guest memory (no profile, no symbol file given) and the table agrees
 * with the guest's own /proc/kallsyms (the dumpsyms boot in .cache/guest/ARCH/kallsyms, moved
 * by the KASLR slide between that boot and this one, told by _stext) for >= 99% of its text
 * symbol names (one address per name, as the tracer's table keeps); a second attach to the same kernel places the cached table instead of scanning.
 * The first attach starts from an empty cache (SYSTRACE_CACHE_DIR is a fresh temp dir).
 */
import t from 'tap';
import { spawn } from 'node:child_process';
import { connect } from 'node:net';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cleanEnv, guestDir, guestReady, missingFromSubsequence, parseSystest, qemuCommand, readEvents, ROOT, run, SYSTRACE, type GuestArch } from './guest.js';

const ARCHES: GuestArch[] = ['x86_64', 'i386', 'armhf', 'arm64', 'mipsel'];
const only = process.argv[2] as GuestArch | undefined;
/**
 * Arches whose symbols test traces in entry mode with --profile and --symbols (armhf-trace,
 * arm64-trace, mipsel-trace): here the same run with neither. x86_64 (x86_64-zeroconf.test.ts)
 * and i386 (i386-trace.test.ts, its exit-mode run) have theirs already.
 */
const ZERO_CONFIG_RUN: Partial<Record<GuestArch, string>> = { armhf: 'linux_arm', arm64: 'linux_arm64', mipsel: 'linux_mips' };

/** name -> addresses of the text symbols of a kallsyms / System.map file. */
function textSymbols(file: string): Map<string, bigint[]> {
  const out = new Map<string, bigint[]>();
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const m = /^([0-9a-f]+) ([tT]) (\S+)$/.exec(line);
    if (!m) continue;
    const list = out.get(m[3]!) ?? [];
    list.push(BigInt('0x' + m[1]!));
    out.set(m[3]!, list);
  }
  return out;
}

/** Waits until QEMU listens on `port` (a connection that is accepted, then closed at once). */
async function listening(port: number, ms: number): Promise<boolean> {
  for (const end = Date.now() + ms; Date.now() < end; ) {
    const ok = await new Promise<boolean>((res) => {
      const s = connect(port, '127.0.0.1', () => {
        s.destroy();
        res(true);
      });
      s.on('error', () => res(false));
    });
    if (ok) return true;
    await new Promise((res) => setTimeout(res, 100));
  }
  return false;
}

for (const arch of ARCHES.filter((a) => !only || a === only)) {
  // scripts/test.sh builds only the x86_64 guest: build (or check the cache of) this one.
  const build = await run('bash', [join(ROOT, 'scripts', 'build-guest.sh'), arch], { timeoutMs: 780_000 });
  if (build.code !== 0) t.comment(`build-guest.sh ${arch} failed (${build.code}): ${build.stderr.slice(-1500)}`);
  const notReady = guestReady(arch);
  if (notReady) {
    t.fail(`${arch}: ${notReady}`);
    continue;
  }
  await t.test(`${arch}: kallsyms recovered from guest memory`, { timeout: 120_000 }, async (t) => {
    const dir = mkdtempSync(join(tmpdir(), `systrace-zc-${arch}-`));
    const env = { ...cleanEnv(), SYSTRACE_CACHE_DIR: join(dir, 'cache') };
    const port = 20000 + Math.floor(Math.random() * 20000);
    const [qemu, ...args] = qemuCommand('', arch);
    // The guest keeps running between the two attaches; the kernel stays the same boot.
    const child = spawn(qemu!, [...args.map((a) => (a === 'mon:stdio' ? 'null' : a)), '-gdb', `tcp:127.0.0.1:${port}`], { stdio: 'ignore' });
    t.teardown(() => void child.kill('SIGKILL'));
    try {
      if (!(await listening(port, 15_000))) {
        t.fail(`QEMU does not listen on ${port}`);
        return;
      }
      for (const n of [1, 2]) {
        const out = join(dir, `symbols${n}.map`);
        const res = await run(process.execPath, [SYSTRACE, 'symbols', '--gdb', `127.0.0.1:${port}`, '-o', out], { timeoutMs: 120_000, env });
        t.equal(res.code, 0, `attach ${n}: exit 0`, { stderr: res.stderr.slice(-2000) });
        t.match(res.stderr, /profile linux_\w+/, `attach ${n}: the detected profile is said`);
        t.match(res.stderr, n === 1 ? /kernel symbols: \d+ from guest memory/ : /kernel symbols: \d+ from the cache /, n === 1 ? 'first attach: scanned guest memory' : 'second attach: used the cache');
        if (res.code !== 0) return;
        const got = textSymbols(out);
        const want = textSymbols(join(guestDir(arch), 'kallsyms'));
        const slide = got.get('_stext')![0]! - want.get('_stext')![0]!;
        let total = 0;
        let agree = 0;
        // The symbol table keeps one address per name (the first of a static name repeated in
        // several files): a name agrees when that address is one of the dump's for it.
        for (const [name, addrs] of want) {
          total++;
          const mine = got.get(name)?.[0];
          if (mine !== undefined && addrs.some((a) => a + slide === mine)) agree++;
        }
        t.ok(total > 10_000, `${total} text symbol names in the guest's /proc/kallsyms`);
        t.ok(agree >= 0.99 * total, `attach ${n}: ${agree}/${total} agree (slide 0x${slide.toString(16)})`);
      }
    } finally {
      child.kill('SIGKILL');
    }
  });
  const profile = ZERO_CONFIG_RUN[arch];
  if (profile) {
    await t.test(`${arch}: systrace run with no --profile and no --symbols`, { timeout: 600_000 }, async (t) => {
      const dir = mkdtempSync(join(tmpdir(), `systrace-zcrun-${arch}-`));
      const traceFile = join(dir, 'trace.jsonl');
      const res = await run(process.execPath, [SYSTRACE, 'run', '--mode', 'entry', '--json', '-o', traceFile, '--', ...qemuCommand('', arch)], {
        timeoutMs: 600_000,
        env: { ...cleanEnv(), SYSTRACE_CACHE_DIR: join(dir, 'cache') },
      });
      t.equal(res.code, 0, 'exit 0', { stderr: res.stderr.slice(-2000) });
      t.match(res.stderr, new RegExp(`profile ${profile} \\(the stub describes`), 'the profile is detected and said');
      t.match(res.stderr, /kernel symbols: \d+ from guest memory/, 'symbols read from guest memory');
      const expected = parseSystest(res.stdout);
      if (!expected) {
        t.fail('the test program did not run', { stdout: res.stdout.slice(-2000) });
        return;
      }
      const lines = readEvents(traceFile).filter((e) => e.line !== undefined).map((e) => e.line!);
      const tags = [...new Set(expected.lines.map((l) => l.tag))];
      t.same(tags.sort(), ['fchild', 'main', 'thread', 'vchild'], 'the log covers main, thread and both children');
      for (const tag of tags) {
        const want = expected.lines.filter((l) => l.tag === tag).map((l) => l.line);
        t.equal(missingFromSubsequence(want, lines), undefined, `every ${tag} call is traced, decoded exactly, in order (${want.length} calls)`);
      }
    });
  }
}

/**
 * Offline, from the kernel file the guest boots: the i386 bzImage (XZ vmlinux) and the raw
 * arm64 Image (its kallsyms_relative_base is left to boot-time relocation: offsets from
 * _text). The armhf zImage and the mipsel ELF wrapper are not read yet.
 */
for (const arch of (['i386', 'arm64'] as GuestArch[]).filter((a) => !only || a === only)) {
  if (guestReady(arch)) continue; // said above
  await t.test(`${arch}: symbols --from-image agrees with the guest's /proc/kallsyms`, { timeout: 120_000 }, async (t) => {
    const out = join(mkdtempSync(join(tmpdir(), `systrace-zcimg-${arch}-`)), 'image.map');
    const res = await run(process.execPath, [SYSTRACE, 'symbols', '--from-image', join(guestDir(arch), 'vmlinuz'), '-o', out], { timeoutMs: 120_000 });
    t.equal(res.code, 0, 'exit 0', { stderr: res.stderr.slice(-2000) });
    if (res.code !== 0) return;
    const got = textSymbols(out);
    const want = textSymbols(join(guestDir(arch), 'kallsyms'));
    const slide = want.get('_stext')![0]! - got.get('_stext')![0]!;
    let agree = 0;
    for (const [name, addrs] of want) {
      const mine = got.get(name)?.[0];
      if (mine !== undefined && addrs.includes(mine + slide)) agree++;
    }
    t.ok(agree >= 0.99 * want.size, `${agree}/${want.size} text symbol names agree (moved by 0x${slide.toString(16)})`);
  });
}

