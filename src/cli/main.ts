/**
 * Command line: `systrace --gdb HOST:PORT`, `systrace run -- qemu...`, `systrace syscalls`,
 * and the pipeline's `systrace validate FILE...` and `systrace replay TRACE.jsonl`
 * (src/pipeline/commands.ts; configs with --config, docs/plugins.md).
 * Exit codes: 0 ok; 1 a rule failed the run; 2 usage or configuration error (also an
 * unreachable stub); 3 the stub was lost mid-trace; under `run`, QEMU's own status otherwise.
 */
import { Command, CommanderError, Option } from 'commander';
import { loadPrototypes } from '../decode/prototypes.js';
import { availableProfiles, loadProfile } from '../profile/profile.js';
import type { TraceSession } from '../trace/session.js';
import type { ProbeSession } from '../probe/probe-session.js';
import { UserError } from '../util/errors.js';
import { info, traceGuest, prepare, type TraceOptions, type TraceResult } from './trace-command.js';
import { pipelineCommands } from '../pipeline/commands.js';
import { startQemu, waitForSocket } from './run-qemu.js';
import { detectProfile } from '../profile/detect.js';
import { symbolsCommand, type SymbolsFlags } from './symbols-command.js';
import { RspError } from '../gdbstub/errors.js';

function intOption(name: string, min: number) {
  return (v: string): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < min) throw new UserError('USAGE', `${name} expects an integer >= ${min}, got '${v}'`);
    return n;
  };
}

function traceOptions(cmd: Command): Command {
  return cmd
    .option('--profile <name>', `OS/architecture profile (${availableProfiles().join(', ')}); default: detected from the stub`)
    .option('--symbols <file>', "kernel symbols: a System.map or /proc/kallsyms dump of the guest kernel; default (x86_64 Linux): the kernel's own tables, read from guest memory")
    .option('-o, --output <file>', 'write the trace to FILE instead of stderr')
    .option('--json', 'write JSONL events instead of strace text')
    .option('-s, --strsize <n>', 'longest string to print', intOption('--strsize', 0), 32)
    .option('--no-prefix', 'leave out the [cpuN asid] prefix')
    .option('-q, --quiet', 'no progress messages on stderr')
    .addOption(new Option('--mode <mode>', 'exit: one stop per call where the kernel leaves it; entry: stops at entry and at the return site (needed for <unfinished ...>, hooks before the call)').choices(['exit', 'entry']))
    .addOption(new Option('--engine <engine>', 'breakpoint: stop the guest per call; probe: a recorder placed in the guest kernel, drained without breakpoints (x86_64 Linux 6.1; docs/probe.md)').choices(['breakpoint', 'probe']).default('breakpoint'))
    .option('--timeout <ms>', 'deadline for each stub reply', intOption('--timeout', 1), 10000)
    .option('--boot-timeout <ms>', 'how long to wait for the guest kernel to come up', intOption('--boot-timeout', 1), 300000)
    .option('--btf <file>', "the kernel's BTF (scripts/kernel-btf.sh VMLINUZ OUT): events then carry pid, tid, ppid, comm")
    .option('-p, --pid <pid...>', 'only events of these process or thread ids (needs --btf)')
    .option('--comm <name>', 'only events of processes with this command name (needs --btf)')
    .option('-e, --expr <expr>', 'strace-style qualifier, repeatable: trace=NAME|%CLASS[,...] stops the guest only for those calls (%file %process %network %signal %ipc %desc %memory ...); status=failed prints only failed calls', collect, [])
    .addOption(new Option('-X <format>', 'constants as names (abbrev), numbers (raw) or both (verbose), as strace -X').choices(['raw', 'abbrev', 'verbose']))
    .option('-v, --no-abbrev', 'print structures in full (stat, statx, rusage, utsname, getdents64...), as strace -v')
    .option('-t', 'time of day on each line; -tt with microseconds, -ttt seconds since the epoch', (_v: string, n: number) => n + 1, 0)
    .option('-T', 'time spent in each call (needs entry events: selects --mode entry)')
    .option('-c, --summary', 'print only a table of calls, errors and time per syscall at the end, as strace -c')
    .option('--perfetto <file>', 'also write a timeline for ui.perfetto.dev (trace event JSON: a slice per call, tracks per process and per vCPU)')
    .option('--config <file>', 'a pipeline config or rules file (plugins, rules; docs/plugins.md); repeat for more, later ones append or override', collect, [])
    .addOption(new Option('--debug-rsp', 'log every RSP byte to stderr').hideHelp());
}

type Flags = Omit<TraceOptions, 'gdb' | 'timeoutMs' | 'bootTimeoutMs' | 'configs' | 'profile'> & { profile?: string; timeout: number; bootTimeout: number; gdb?: string; expr: string[]; pid?: string[]; config: string[]; X?: 'raw' | 'abbrev' | 'verbose'; abbrev: boolean; t: number; T?: boolean };

/** Commander's way to take a repeated option as a list. */
function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** strace's -e: `trace=open,%file` (`trace=` may be left out) and `status=failed`. */
function parseExprs(exprs: string[], o: TraceOptions): void {
  for (const expr of exprs) {
    if (/^status=failed$/.test(expr)) {
      o.failedOnly = true;
      continue;
    }
    const m = /^(?:trace=)?(%?[A-Za-z0-9_%]+(?:,%?[A-Za-z0-9_%]+)*)$/.exec(expr);
    if (!m) throw new UserError('USAGE', `-e expects trace=NAME|%CLASS[,...] or status=failed, got '${expr}'`);
    o.only = [...(o.only ?? []), ...m[1]!.split(',')];
  }
}

function toTraceOptions(f: Flags, gdb: string): TraceOptions {
  const o: TraceOptions = { gdb, profile: f.profile ?? '', strsize: f.strsize, prefix: f.prefix, timeoutMs: f.timeout, bootTimeoutMs: f.bootTimeout };
  if (f.symbols !== undefined) o.symbols = f.symbols;
  if (f.output !== undefined) o.output = f.output;
  if (f.json) o.json = true;
  if (f.quiet) o.quiet = true;
  if (f.debugRsp) o.debugRsp = true;
  if (f.mode) o.mode = f.mode;
  if (f.engine === 'probe') {
    if (f.mode) throw new UserError('USAGE', '--mode is for --engine breakpoint; the probe records every entry and return');
    if (f.expr.some((e) => !/^status=failed$/.test(e))) throw new UserError('USAGE', '-e trace= is for --engine breakpoint; the probe records every call');
    o.engine = 'probe';
  }
  parseExprs(f.expr, o);
  if (f.X) o.xlat = f.X;
  if (f.abbrev === false) o.verbose = true;
  if (f.t) o.timestamps = Math.min(f.t, 3) as 1 | 2 | 3;
  if (f.T) {
    if (f.mode === 'exit') throw new UserError('USAGE', '-T needs entry events: it cannot be used with --mode exit');
    o.timing = true;
    if (!o.mode && !o.only) {
      o.mode = 'entry';
      info(f.quiet, '-T needs entry events: tracing in --mode entry');
    }
  }
  if (f.btf !== undefined) o.btf = f.btf;
  if (f.perfetto !== undefined) o.perfetto = f.perfetto;
  if (f.summary) o.summary = true;
  if (f.comm !== undefined) o.comm = f.comm;
  if (f.config.length > 0) o.configs = f.config;
  if (f.pid !== undefined) {
    o.pids = f.pid.flatMap((p) => p.split(',')).map((p) => {
      if (!/^\d+$/.test(p)) throw new UserError('USAGE', `-p expects process ids, got '${p}'`);
      return Number(p);
    });
  }
  return o;
}

/** Ctrl-C / SIGTERM ask the session to detach; a second one leaves at once. */
function wireSignals(onFirst: () => void, onSecond: () => void): void {
  let count = 0;
  const handler = (): void => {
    count++;
    if (count === 1) onFirst();
    else onSecond();
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  process.stdout.on('error', () => undefined); // a closed pipe is not a crash
}

async function attachCommand(f: Flags): Promise<number> {
  if (!f.gdb) throw new UserError('USAGE', "nothing to trace: give --gdb HOST:PORT (or use 'systrace run -- qemu-system-...')");
  const opts = toTraceOptions(f, f.gdb);
  let session: TraceSession | ProbeSession | undefined;
  wireSignals(
    () => {
      info(opts.quiet, 'stopping: removing breakpoints and detaching (Ctrl-C again to quit at once)');
      session?.requestStop();
    },
    () => process.exit(130),
  );
  await precheck(opts);
  await settleProfile(opts);
  const prepared = await prepare(opts);
  const result = await traceGuest(opts, prepared, (s) => (session = s));
  const code = reportEnd(result, opts.quiet, `connect a debugger to ${opts.gdb}`);
  return code === 0 ? failureCode(result) : code;
}

/**
 * With no --profile, configs and flags are still checked before the stub is touched or QEMU
 * started, against the x86_64 Linux table (the profile detection most often picks); they are
 * checked again against the detected profile.
 */
async function precheck(opts: TraceOptions): Promise<void> {
  if (opts.profile || !opts.configs?.length) return;
  const probe = await prepare({ ...opts, profile: 'linux_x64', ...(opts.only ? { only: [...opts.only] } : {}) });
  await probe.built.outputs.end();
}

/** With no --profile, asks the stub what it is (an unreachable stub is a usage error, exit 2). */
async function settleProfile(opts: TraceOptions): Promise<void> {
  if (opts.profile) return;
  try {
    const { profile, why } = await detectProfile(opts.gdb, opts.timeoutMs);
    opts.profile = profile;
    info(opts.quiet, `profile ${profile} (${why}; --profile to choose another)`);
  } catch (e) {
    if (e instanceof RspError) throw new UserError('STUB_UNREACHABLE', e.message, { cause: e });
    throw e;
  }
}

/** 1 when a rule with action fail matched or a plugin failed (each reason printed), else 0. */
function failureCode(result: TraceResult): number {
  for (const f of result.failures) process.stderr.write(`systrace: the run failed: ${f}\n`);
  return result.failures.length > 0 ? 1 : 0;
}

function reportEnd(result: TraceResult, quiet: boolean | undefined, howToDebug: string): number {
  const end = result.end;
  switch (end.kind) {
    case 'paused':
      process.stderr.write(`systrace: ${end.reason}: the guest is paused and the stub is free; ${howToDebug} (gdb's detach resumes it)\n`);
      return 0;
    case 'guest-exited':
      info(quiet, `guest exited with status ${end.status}`);
      return 0;
    case 'guest-killed':
      info(quiet, `guest terminated by signal ${end.signal}`);
      return 0;
    case 'detached':
      info(quiet, 'detached; the guest runs on');
      return 0;
    case 'stub-lost':
      process.stderr.write(`systrace: lost the GDB stub: ${end.error.message}\n`);
      return 3;
  }
}

async function runCommand(qemuArgv: string[], f: Flags & { snapshot: boolean; loadvm?: string }): Promise<number> {
  const base = toTraceOptions(f, '');
  // Bad profile, symbols or configs fail before QEMU starts; with no --profile, after it
  // starts, since the stub tells what the guest is.
  let prepared = base.profile ? await prepare(base) : (await precheck(base), undefined);
  const q = startQemu(qemuArgv, { snapshot: f.snapshot, ...(f.loadvm !== undefined ? { loadvm: f.loadvm } : {}) });
  let session: TraceSession | ProbeSession | undefined;
  wireSignals(
    () => {
      info(base.quiet, 'stopping: removing breakpoints and detaching; the guest runs on (Ctrl-C again to stop QEMU)');
      session?.requestStop();
    },
    () => {
      try {
        process.kill(-q.child.pid!, 'SIGTERM');
      } catch {
        /* already gone */
      }
    },
  );
  try {
    await waitForSocket(q);
    base.gdb = q.socket;
    if (!prepared) {
      await settleProfile(base);
      prepared = await prepare(base);
    }
    const result = await traceGuest(base, prepared, (s) => (session = s));
    const code = reportEnd(result, base.quiet, `connect a debugger to ${q.socket} (gdb: target remote ${q.socket}); systrace waits for QEMU to exit`);
    const status = await q.exited;
    if (code === 3 && status === 0) return 3;
    return failureCode(result) || status;
  } catch (e) {
    try {
      process.kill(-q.child.pid!, 'SIGTERM');
    } catch {
      /* already gone */
    }
    throw e;
  } finally {
    q.cleanup();
  }
}

function syscallsCommand(f: { profile: string }, which?: string): number {
  const profile = loadProfile(f.profile);
  const table = loadPrototypes(profile.prototypes, profile.wordSize, profile.names);
  const rows = which === undefined ? table.all() : [/^\d+$/.test(which) ? table.getSyscallInfo(Number(which)) : table.byShortName(which)];
  if (rows[0] === undefined) throw new UserError('USAGE', `no syscall '${which}' in profile ${profile.name}`);
  for (const s of rows) {
    if (!s) continue;
    const args = s.args.map((a) => `${a.type}${a.type.endsWith('*') ? '' : ' '}${a.name}`).join(', ');
    process.stdout.write(`${String(s.no).padStart(6)}  ${s.name.padEnd(24)} ${s.ret} ${s.fn}(${args || 'void'})${s.noreturn ? '  [noreturn]' : ''}\n`);
  }
  const m = table.getSyscallMeta();
  if (which === undefined) process.stdout.write(`# ${table.all().length} syscalls, max ${m.max}, max_generic ${m.maxGeneric}, max_args ${m.maxArgs}\n`);
  return 0;
}

export async function main(argv: string[]): Promise<number> {
  const program = new Command('systrace')
    .description('strace for a whole QEMU guest, from outside, through QEMU\'s GDB stub')
    .version('0.1.0')
    .exitOverride()
    .enablePositionalOptions()
    .configureOutput({ writeErr: (s) => process.stderr.write(s.startsWith('error:') ? `systrace: ${s}` : s) });
  let result: Promise<number> = Promise.resolve(0);
  traceOptions(program.option('--gdb <target>', 'the GDB stub: HOST:PORT, :PORT or a unix socket path'))
    .action((f: Flags) => {
      result = attachCommand(f);
    });
  traceOptions(program.command('run').description('start QEMU with its gdbstub and trace it: systrace run [options] -- qemu-system-x86_64 ARGS...'))
    .option('--no-snapshot', 'let the guest write to its disk images (QEMU gets -snapshot otherwise)')
    .option('--loadvm <tag>', 'start from a VM snapshot saved in a qcow2 disk of the command line (QEMU -loadvm)')
    .argument('<qemu...>', 'the QEMU command line')
    .action((qemu: string[], f: Flags & { snapshot: boolean; loadvm?: string }) => {
      result = runCommand(qemu, f);
    });
  pipelineCommands(program, (r) => (result = r));
  program
    .command('syscalls')
    .description("print a profile's syscall table, or one entry by name or number")
    .option('--profile <name>', 'profile', 'linux_x64')
    .argument('[name-or-number]')
    .action((which: string | undefined, f: { profile: string }) => {
      result = Promise.resolve(syscallsCommand(f, which));
    });
  program
    .command('symbols')
    .description("write the kernel's symbols as a System.map: from a running guest's memory (--gdb) or from a kernel image (--from-image)")
    .option('--gdb <target>', 'the GDB stub of a running Linux guest')
    .option('--from-image <vmlinuz>', 'a kernel image file (Debian /boot/vmlinuz-*, or a vmlinux)')
    .option('-o, --output <file>', 'write to FILE instead of stdout')
    .option('--profile <name>', 'profile (default: detected from the stub)')
    .option('--no-cache', 'scan guest memory even when this kernel is cached')
    .option('--timeout <ms>', 'deadline for each stub reply', intOption('--timeout', 1), 10000)
    .option('--boot-timeout <ms>', 'how long to wait for the guest kernel to come up', intOption('--boot-timeout', 1), 300000)
    .action((f: SymbolsFlags) => {
      result = symbolsCommand(f);
    });
  try {
    await program.parseAsync(argv);
    return await result;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 2;
    if (e instanceof UserError) {
      for (const line of e.message.split('\n')) process.stderr.write(`systrace: ${line}\n`);
      return e.exitCode;
    }
    throw e;
  }
}
