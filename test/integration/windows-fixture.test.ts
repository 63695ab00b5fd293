/**
 * The five Windows profiles on the fixture guest (test/fixture/win, built by
 * scripts/build-win-fixture.sh): a bare-metal program that makes native API calls exactly as
 * ntdll does (int 2Eh, KiFastSystemCall through SharedUserData, syscall) with the numbers of
 * the profile under test, and logs each call in the trace's notation (NTLOG lines on COM1).
 * Every decoded line, returns included, must equal the fixture's own log; filereadmon reports
 * the NtReadFile and the files behind the handles.
 */
import t from 'tap';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadPrototypes } from '../../src/decode/prototypes.js';
import { loadProfile } from '../../src/profile/profile.js';
import { readEvents, ROOT, run, SYSTRACE } from './guest.js';

const FIXTURE = join(ROOT, '.cache', 'winfixture');
const CALLS = ['NtCreateFile', 'NtOpenFile', 'NtReadFile', 'NtWriteFile', 'NtClose'];
/** A number no table has (Windows' first service table stops far below it). */
const UNKNOWN = 0xfff;

interface Case {
  profile: string;
  qemu: string;
  image: string;
  mode?: 'int2e' | 'sysenter';
  symbols?: string;
  entry: RegExp;
}
const CASES: Case[] = [
  { profile: 'windows_2000_x86', qemu: 'qemu-system-i386', image: 'win32.elf', mode: 'int2e', entry: /breakpoint on IDT vector 0x2e at 0x[0-9a-f]+/ },
  { profile: 'windows_xpsp2_x86', qemu: 'qemu-system-i386', image: 'win32.elf', mode: 'sysenter', entry: /breakpoint on the address at 0x7ffe0300 at 0x[0-9a-f]+/ },
  { profile: 'windows_xpsp3_x86', qemu: 'qemu-system-i386', image: 'win32.elf', mode: 'sysenter', entry: /breakpoint on the address at 0x7ffe0300 at 0x[0-9a-f]+/ },
  { profile: 'windows_7_x86', qemu: 'qemu-system-i386', image: 'win32.elf', mode: 'sysenter', entry: /breakpoint on the address at 0x7ffe0300 at 0x[0-9a-f]+/ },
  { profile: 'windows_7_x64', qemu: 'qemu-system-x86_64', image: 'win64.elf', symbols: 'win64.map', entry: /breakpoint on KiSystemCall64 at 0x[0-9a-f]+/ },
];

/** The fixture's log: the lines between NTLOG BEGIN and NTLOG END. */
function fixtureLog(stdout: string): string[] | undefined {
  const m = /NTLOG BEGIN\n([\s\S]*?)NTLOG END/.exec(stdout.replace(/\r/g, ''));
  return m ? m[1]!.split('\n').filter((l) => l.startsWith('NTLOG ')).map((l) => l.slice('NTLOG '.length)) : undefined;
}

const build = await run('bash', [join(ROOT, 'scripts', 'build-win-fixture.sh')], { timeoutMs: 300_000 });
if (build.code !== 0) t.fail(`build-win-fixture.sh failed (${build.code}): ${build.stderr.slice(-2000)}`);
else {
  for (const c of CASES) {
    await t.test(c.profile, async (t) => {
      const profile = loadProfile(c.profile);
      const table = loadPrototypes(profile.prototypes, profile.wordSize, profile.names);
      const numbers = CALLS.map((n) => table.byShortName(n)?.no);
      t.ok(numbers.every((n) => n !== undefined), `the table has ${CALLS.join(', ')}`);
      t.equal(table.getSyscallInfo(UNKNOWN), undefined, `0x${UNKNOWN.toString(16)} is unknown to the table`);
      const dir = mkdtempSync(join(tmpdir(), 'systrace-win-'));
      const traceFile = join(dir, 'trace.jsonl');
      const frmFile = join(dir, 'filereadmon.txt');
      const config = join(dir, 'plugins.yaml');
      writeFileSync(config, `plugins:\n  - name: jsonl\n    output: ${traceFile}\n  - name: filereadmon\n    output: ${frmFile}\n`);
      // wait=3: the fixture lets the RTC tick three times before its first call, the time systrace
      // needs to find the entry point once the fixture has set it up.
      const append = `${c.mode ? `mode=${c.mode} ` : ''}wait=3 nr=${numbers.join(',')},0x${UNKNOWN.toString(16)}`;
      const qemu = [c.qemu, '-m', '16', '-display', 'none', '-no-reboot', '-serial', 'stdio', '-monitor', 'none', '-kernel', join(FIXTURE, c.image), '-append', append];
      const started = Date.now();
      const res = await run(
        process.execPath,
        [SYSTRACE, 'run', '--profile', c.profile, '--config', config, ...(c.symbols ? ['--symbols', join(FIXTURE, c.symbols)] : []), '--', ...qemu],
        { timeoutMs: 60_000 },
      );
      t.comment(`traced in ${((Date.now() - started) / 1000).toFixed(1)} s`);
      t.equal(res.code, 0, 'systrace run exits with QEMU status 0', { stderr: res.stderr.slice(-3000) });
      t.match(res.stderr, c.entry, 'the entry point found as the profile says');
      const want = fixtureLog(res.stdout);
      t.ok(want, 'the fixture printed its log', { stdout: res.stdout.slice(-2000) });
      if (!want) return;
      t.equal(want.length, 9, 'nine calls logged');
      const events = readEvents(traceFile);
      t.ok(events.every((e) => e.profile === c.profile && e.abi === c.profile), 'every event is of the profile and its ABI');
      const returns = events.filter((e) => e.dir === 'return');
      t.same(returns.map((e) => e.line), want, 'every call decoded exactly as the fixture made it, returns included');
      const entered = new Set(events.filter((e) => e.dir === 'enter').map((e) => e.call));
      t.ok(returns.every((e) => entered.has(e.call)), 'every return pairs with its entry');
      const unknown = returns.find((e) => e.no === UNKNOWN);
      t.equal(unknown?.unknown, true, 'the unknown number is reported unknown');
      t.equal(unknown?.errno, undefined, 'an NTSTATUS is no errno');
      t.equal(unknown?.ret, 0xc000001c - 2 ** 32, 'ret: STATUS_INVALID_SYSTEM_SERVICE as a signed 32-bit LONG, on both word sizes');
      const read = returns.find((e) => e.name === 'NtReadFile');
      t.equal(read?.no, numbers[2], `NtReadFile is number ${numbers[2]}`);
      t.same(read?.args.map((a) => a.name), ['FileHandle', 'Event', 'ApcRoutine', 'ApcContext', 'IoStatusBlock', 'Buffer', 'Length', 'ByteOffset', 'Key'], 'its nine arguments by name');
      t.same(readFileSync(frmFile, 'utf8').split('\n').filter((l) => l !== '').map((l) => l.replace(/asid 0x[0-9a-f]+/, 'asid A').replace(/buffer 0x[0-9a-f]+/, 'buffer B')), [
        'filereadmon: NtReadFile asid A handle 0x80 ("\\\\??\\\\C:\\\\fixture\\\\in.txt") buffer B length 64: 23 bytes "hello from the fixture\\n"',
        'filereadmon: asid A',
        '  "\\\\??\\\\C:\\\\fixture\\\\out.txt" opened 1, read 0 times, 0 bytes',
        '  "\\\\??\\\\C:\\\\fixture\\\\in.txt" opened 1, read 1 times, 23 bytes',
      ], 'filereadmon: the read with handle, file, buffer, length and bytes; the files behind the handles');
      const frmBuf = /buffer (0x[0-9a-f]+)/.exec(readFileSync(frmFile, 'utf8'))?.[1];
      t.equal(frmBuf, read?.args[5]?.raw, 'filereadmon names the buffer NtReadFile was given');
    });
  }

  await t.test('-e trace=NtReadFile,NtClose on windows_7_x86: every call stops, the selected ones are reported', async (t) => {
    const profile = loadProfile('windows_7_x86');
    const table = loadPrototypes(profile.prototypes, profile.wordSize, profile.names);
    const numbers = CALLS.map((n) => table.byShortName(n)!.no);
    const res = await run(
      process.execPath,
      [SYSTRACE, 'run', '--profile', 'windows_7_x86', '--no-prefix', '-e', 'trace=NtReadFile,NtClose', '--',
        'qemu-system-i386', '-m', '16', '-display', 'none', '-no-reboot', '-serial', 'stdio', '-monitor', 'none', '-kernel', join(FIXTURE, 'win32.elf'),
        '-append', `mode=sysenter wait=3 nr=${numbers.join(',')},0x${UNKNOWN.toString(16)}`],
      { timeoutMs: 60_000 },
    );
    t.equal(res.code, 0, 'systrace run exits with QEMU status 0', { stderr: res.stderr.slice(-3000) });
    t.match(res.stderr, /-e trace: windows_7_x86 has no per-call kernel symbols; every call stops the guest, only NtReadFile, NtClose are reported/);
    const want = (fixtureLog(res.stdout) ?? []).filter((l) => /^(NtReadFile|NtClose)\(/.test(l));
    t.equal(want.length, 4, 'the fixture made one NtReadFile and three NtClose calls');
    const got = res.stderr.split('\n').filter((l) => /^Nt\w+\(/.test(l));
    t.same(got, want, 'exactly those calls reported, decoded as the fixture made them');
  });
}
