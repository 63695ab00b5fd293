/**
 * `systrace run -- qemu-system-... ARGS`: starts QEMU with its gdbstub on a private unix
 * socket, paused (-S), with -snapshot unless asked otherwise, and traces it. QEMU runs in its
 * own process group so a Ctrl-C reaches systrace alone, which then detaches and lets the
 * guest run on to its own end.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UserError } from '../util/errors.js';

export interface QemuProcess {
  child: ChildProcess;
  socket: string;
  /** Resolves with QEMU's exit status (128+signal when killed). */
  exited: Promise<number>;
  cleanup(): void;
}

export function startQemu(argv: string[], opts: { snapshot: boolean; loadvm?: string }): QemuProcess {
  if (argv.length === 0) throw new UserError('USAGE', "'run' needs a QEMU command after '--', e.g. systrace run -- qemu-system-x86_64 -kernel ...");
  if (argv.some((a) => a === '-gdb' || a === '-s')) throw new UserError('USAGE', "leave '-gdb'/'-s' out of the QEMU command: systrace adds its own gdbstub");
  const dir = mkdtempSync(join(tmpdir(), 'systrace-'));
  const socket = join(dir, 'gdb.sock');
  const args = [...argv.slice(1), '-gdb', `unix:${socket},server=on,wait=off`, '-S'];
  if (opts.snapshot && !argv.includes('-snapshot')) args.push('-snapshot');
  // Start from a VM snapshot saved in a qcow2 image of the command line (HMP savevm).
  if (opts.loadvm !== undefined) {
    if (argv.includes('-loadvm')) throw new UserError('USAGE', "give the snapshot either as --loadvm or as QEMU's -loadvm, not both");
    args.push('-loadvm', opts.loadvm);
  }
  const child = spawn(argv[0]!, args, { stdio: ['ignore', 'inherit', 'inherit'], detached: true });
  const exited = new Promise<number>((resolve) => {
    child.on('error', (e: NodeJS.ErrnoException) => {
      process.stderr.write(`systrace: cannot start ${argv[0]}: ${e.code === 'ENOENT' ? 'not found' : e.message}\n`);
      resolve(127);
    });
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 128 + (signalNumber(signal) ?? 1) : 1)));
  });
  return { child, socket, exited, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

function signalNumber(sig: NodeJS.Signals): number | undefined {
  return ({ SIGHUP: 1, SIGINT: 2, SIGKILL: 9, SIGTERM: 15 } as Record<string, number>)[sig];
}

/**
 * Whether the unix socket at `path` listens yet: QEMU binds it (the file appears) a moment
 * before it listens, and a connection in between is refused. Linux /proc/net/unix (unix(7)):
 * the Flags column has __SO_ACCEPTCON (0x10000) once listen() has run. Undefined where that
 * file cannot be read.
 */
function listening(path: string): boolean | undefined {
  let text: string;
  try {
    text = readFileSync('/proc/net/unix', 'utf8');
  } catch {
    return undefined;
  }
  for (const line of text.split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f.length >= 8 && f.slice(7).join(' ') === path) return (parseInt(f[3]!, 16) & 0x10000) !== 0;
  }
  return false;
}

/** Waits for QEMU's socket to appear and listen, or for QEMU to die first. */
export async function waitForSocket(q: QemuProcess, timeoutMs = 20000): Promise<void> {
  let dead = false;
  void q.exited.then(() => (dead = true));
  const deadline = Date.now() + timeoutMs;
  while (!existsSync(q.socket) || listening(q.socket) === false) {
    if (dead) throw new UserError('STUB_UNREACHABLE', `QEMU exited before its gdbstub came up (status ${await q.exited})`);
    if (Date.now() > deadline) throw new UserError('STUB_UNREACHABLE', `QEMU's gdbstub socket did not appear within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
