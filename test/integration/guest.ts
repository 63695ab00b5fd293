/**
 * Helpers for tests that boot the bundled guests (built by scripts/build-guest.sh [ARCH]
 * into .cache/guest/ARCH; x86_64 unless an arch is given) and run systrace on them.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import net from 'node:net';
import { join, resolve } from 'node:path';
import type { TraceEvent } from '../../src/trace/event.js';

export const ROOT = resolve(import.meta.dirname ?? new URL('.', import.meta.url).pathname, '..', '..', '..');
export type GuestArch = 'x86_64' | 'i386' | 'armhf' | 'arm64' | 'mipsel';

/** The guest directory of an architecture. */
export function guestDir(arch: GuestArch = 'x86_64'): string {
  return join(ROOT, '.cache', 'guest', arch);
}

export const GUEST = guestDir('x86_64');

/** The QEMU system emulator of each guest. */
const QEMU: Record<GuestArch, string> = {
  x86_64: 'qemu-system-x86_64',
  i386: 'qemu-system-i386',
  armhf: 'qemu-system-arm',
  arm64: 'qemu-system-aarch64',
  mipsel: 'qemu-system-mipsel',
};
export const SYSTRACE = join(ROOT, 'bin', 'systrace');

export function guestReady(arch: GuestArch = 'x86_64'): string | undefined {
  const dir = guestDir(arch);
  for (const f of ['qemu-args', 'kallsyms', 'vmlinuz', 'initrd.gz']) {
    if (!existsSync(join(dir, f))) return `guest file ${join(dir, f)} missing: run scripts/build-guest.sh${arch === 'x86_64' ? '' : ' ' + arch}`;
  }
  return undefined;
}

/** The QEMU command line of the guest, with extra kernel parameters appended. */
export function qemuCommand(extraAppend = '', arch: GuestArch = 'x86_64'): string[] {
  const args = readFileSync(join(guestDir(arch), 'qemu-args'), 'utf8').split('\n').filter((l) => l !== '');
  const i = args.indexOf('-append');
  if (extraAppend && i >= 0) args[i + 1] = `${args[i + 1]} ${extraAppend}`;
  return [QEMU[arch], ...args];
}

/** The environment without tap's loader hooks, which are not meant for the program under test. */
export function cleanEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.NODE_OPTIONS;
  for (const k of Object.keys(env)) if (k.startsWith('TAP') || k.startsWith('_TAPJS')) delete env[k];
  return env;
}

export interface Finished {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export function run(cmd: string, args: string[], opts: { timeoutMs: number; onStart?: (c: ChildProcess) => void; env?: NodeJS.ProcessEnv }): Promise<Finished> {
  return new Promise((resolvePromise) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], env: opts.env ?? cleanEnv() });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      stderr += `\n[test] killed after ${opts.timeoutMs} ms\n`;
      child.kill('SIGKILL');
    }, opts.timeoutMs);
    opts.onStart?.(child);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolvePromise({ code, signal, stdout, stderr });
    });
  });
}

export function readEvents(file: string): TraceEvent[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as TraceEvent);
}

export interface ExpectedLine {
  tag: string;
  line: string;
}

/** The `SYSTEST BEGIN ... SYSTEST END` block the test program prints. */
export function parseSystest(console: string): { pid: number; lines: ExpectedLine[] } | undefined {
  const text = console.replace(/\r/g, '');
  const m = /SYSTEST BEGIN pid=(\d+)\n([\s\S]*?)SYSTEST END/.exec(text);
  if (!m) return undefined;
  const lines = m[2]!
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => {
      const sp = l.indexOf(' ');
      return { tag: l.slice(0, sp), line: l.slice(sp + 1) };
    });
  return { pid: Number(m[1]), lines };
}

/**
 * Whether `want` occurs in `have` in order (not necessarily adjacent); returns the first
 * line that could not be found after the previous match.
 */
export function missingFromSubsequence(want: string[], have: string[]): string | undefined {
  let j = 0;
  for (const w of want) {
    while (j < have.length && have[j] !== w) j++;
    if (j === have.length) return w;
    j++;
  }
  return undefined;
}

/** A TCP port nobody listens on right now (for QEMU's -gdb tcp:...). */
export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

/**
 * Builds (or checks the cache of) an architecture's guest, which also installs its QEMU and
 * cross compiler on a fresh machine; says why it failed, and returns why the guest is not
 * ready, if it is not.
 */
export async function buildGuest(arch: GuestArch, comment: (text: string) => void): Promise<string | undefined> {
  const build = await run('bash', [join(ROOT, 'scripts', 'build-guest.sh'), arch], { timeoutMs: 780_000 });
  if (build.code !== 0) comment(`build-guest.sh ${arch} failed (${build.code}): ${build.stderr.slice(-1500)}`);
  return guestReady(arch);
}

export interface Traced {
  res: Finished;
  events: TraceEvent[];
  expected: { pid: number; lines: ExpectedLine[] } | undefined;
  /** Breakpoint addresses systrace reported on stderr, by symbol. */
  bps: Map<string, string>;
  seconds: number;
}

/** Runs `systrace run` with these options on a QEMU command line; the trace is JSONL. */
export async function traceGuest(options: string[], qemu: string[], opts: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<Traced> {
  const dir = mkdtempSync(join(tmpdir(), 'systrace-test-'));
  const traceFile = join(dir, 'trace.jsonl');
  const started = Date.now();
  const res = await run(process.execPath, [SYSTRACE, 'run', ...options, '--json', '-o', traceFile, '--', ...qemu], {
    timeoutMs: opts.timeoutMs ?? 300_000,
    ...(opts.env ? { env: opts.env } : {}),
  });
  const seconds = (Date.now() - started) / 1000;
  let events: TraceEvent[] = [];
  try {
    events = readEvents(traceFile);
  } catch {
    /* no trace: the checks below fail and show stderr */
  }
  const bps = new Map<string, string>();
  for (const m of res.stderr.matchAll(/breakpoint on (\S+) at (0x[0-9a-f]+)/g)) bps.set(m[1]!, m[2]!);
  return { res, events, expected: parseSystest(res.stdout), bps, seconds };
}
