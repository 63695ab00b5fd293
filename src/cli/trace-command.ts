/**
 * The trace itself, shared by `systrace --gdb` (attach) and `systrace run` (start QEMU):
 * load the profile, its table, symbols and pipeline configs, attach, run every event
 * through the pipeline (src/pipeline/), and end cleanly on Ctrl-C, SIGTERM or a dropped
 * stub (breakpoints removed, guest detached, output flushed), or on a plugin's stop
 * (breakpoints removed, no `D`: the guest stays paused for a debugger).
 */
import { GdbClient } from '../gdbstub/client.js';
import { RspError } from '../gdbstub/errors.js';
import { loadPrototypes } from '../decode/prototypes.js';
import { loadProfile } from '../profile/profile.js';
import { loadSystemMap, SymbolTable } from '../symbols/system-map.js';
import { loadBtf } from '../symbols/btf.js';
import { DumpSymbolSource, type SymbolSource } from '../symbols/source.js';
import { MemorySymbolSource, defaultCacheDir } from '../symbols/kallsyms-memory.js';
import { TraceSession, type SessionEnd } from '../trace/session.js';
import { ProbeSession } from '../probe/probe-session.js';
import { UserError } from '../util/errors.js';
import { buildPipeline } from '../pipeline/loader.js';
import { setDecodeDefaults } from '../decode/decoder.js';
import { expandTraceSet } from '../decode/classes.js';
import type { XlatStyle } from '../decode/format.js';
import { LineWriter, setTextDefaults } from '../trace/sinks.js';
import { PerfettoSink } from '../trace/perfetto.js';

export interface TraceOptions {
  gdb: string;
  profile: string;
  symbols?: string;
  output?: string;
  json?: boolean;
  strsize: number;
  prefix: boolean;
  quiet?: boolean;
  timeoutMs: number;
  bootTimeoutMs: number;
  debugRsp?: boolean;
  /** `exit` (one stop per call), `entry` (entry + return), or undefined for the profile's best. */
  mode?: 'entry' | 'exit';
  /** `breakpoint` (default): stops per call; `probe`: a recorder in the guest kernel (docs/probe.md). */
  engine?: 'breakpoint' | 'probe';
  /** `-e trace=NAME,...`: only these calls stop the guest. */
  only?: string[];
  /** Kernel BTF file: names the process of each call. */
  btf?: string;
  /** Keep only events of these process or thread ids (-p). */
  pids?: number[];
  /** Keep only events of processes with this command name (--comm). */
  comm?: string;
  /** `--config FILE`, in order (later files append or override). */
  configs?: string[];
  /** strace -X and -v. */
  xlat?: XlatStyle;
  verbose?: boolean;
  /** strace -t (1), -tt (2), -ttt (3); -T; -e status=failed. */
  timestamps?: 0 | 1 | 2 | 3;
  timing?: boolean;
  failedOnly?: boolean;
  /** `-c`: print only the summary table at the end (strace -c). */
  summary?: boolean;
  /** `--perfetto FILE`: a timeline in the trace event format. */
  perfetto?: string;
}

/** How a trace ended: the session's end, or `paused` when a plugin or rule stopped the guest. */
export type TraceEnd = SessionEnd | { kind: 'paused'; reason: string };

export interface TraceResult {
  end: TraceEnd;
  events: number;
  /** Why the run failed (a rule with action fail matched, a plugin threw); empty when it did not. */
  failures: readonly string[];
}

/**
 * A live status line on stderr (events, events/s, pending calls, stops), a few times a second,
 * only when stderr is a terminal and the trace itself goes elsewhere (-o) and -q is not given.
 */
function statusLine(opts: TraceOptions, read: () => { events: number; pending: number; stops: number }): { stop(): void } | undefined {
  if (opts.quiet || !process.stderr.isTTY || !opts.output || opts.output === '-') return undefined;
  let last = { t: Date.now(), events: 0 };
  const timer = setInterval(() => {
    const now = Date.now();
    const r = read();
    const rate = ((r.events - last.events) * 1000) / Math.max(1, now - last.t);
    last = { t: now, events: r.events };
    process.stderr.write(`\r\x1b[Ksystrace: ${r.events} events, ${rate.toFixed(0)}/s, ${r.pending} pending, ${r.stops} stops`);
  }, 250);
  timer.unref();
  return {
    stop: () => {
      clearInterval(timer);
      process.stderr.write('\r\x1b[K');
    },
  };
}

/** Thrown through the session's emit callback to end its loop at the event that asked to pause. */
class PauseRequest extends Error {}

export function info(quiet: boolean | undefined, msg: string): void {
  if (!quiet) process.stderr.write(`systrace: ${msg}\n`);
}

/** Everything that can be checked before the guest is touched: profile, table, symbols, configs. */
export async function prepare(opts: TraceOptions) {
  const profile = loadProfile(opts.profile);
  const table = loadPrototypes(profile.prototypes, profile.wordSize, profile.names);
  setDecodeDefaults({ xlat: opts.xlat ?? 'abbrev', verbose: opts.verbose === true });
  setTextDefaults({ timestamps: opts.timestamps ?? 0, timing: opts.timing === true, failedOnly: opts.failedOnly === true });
  // Classes (%file, %network...) become the names this profile has; the caller's options carry them on.
  if (opts.only) opts.only = expandTraceSet(opts.only, (n) => table.byShortName(n) !== undefined);
  for (const name of opts.only ?? []) {
    if (!table.byShortName(name)) throw new UserError('USAGE', `-e trace: no syscall '${name}' in profile ${profile.name} (see: systrace syscalls --profile ${profile.name})`);
  }
  const btf = opts.btf ? loadBtf(opts.btf) : undefined;
  if ((opts.pids || opts.comm) && !btf) throw new UserError('USAGE', '-p and --comm need --btf FILE (the kernel\'s BTF, see scripts/kernel-btf.sh) to know processes');
  // The symbols the chosen mode plants breakpoints on must be there before QEMU is touched.
  // Windows profiles have no per-call handler symbols: -e trace= stops at every call and reports the selected ones.
  const filtered = opts.only !== undefined && profile.os === 'windows';
  if (filtered) info(opts.quiet, `-e trace: ${profile.name} has no per-call kernel symbols; every call stops the guest, only ${opts.only!.join(', ')} are reported`);
  const mode = opts.only && !filtered ? 'selective' : opts.mode ?? (profile.exitStop ? 'exit' : 'entry');
  // (Optional entries are left out, with a note, where the kernel lacks them.)
  const needed = mode === 'entry' ? profile.entries.filter((e) => !e.locate && !e.optional).map((e) => e.symbol) : profile.exitStop ? [profile.exitStop.symbol] : [];
  let source: SymbolSource;
  if (opts.symbols) {
    const symbols = loadSystemMap(opts.symbols);
    source = new DumpSymbolSource(symbols);
    const missing = source.missing(needed);
    if (missing.length) {
      throw new UserError('SYMBOL_MISSING', `symbol '${missing[0]}' (needed by ${profile.name} in ${mode} mode) is not in ${opts.symbols} (${symbols.size} symbols)`);
    }
  } else if (profile.os === 'linux' && ['x86_64', 'i386', 'arm', 'arm64', 'mips'].includes(profile.arch)) {
    source = new MemorySymbolSource();
    info(opts.quiet, `no --symbols: the kernel's own kallsyms tables will be read from guest memory (cached in ${defaultCacheDir()})`);
  } else if (profile.os === 'windows' && needed.length === 0) {
    // Windows entries found in guest memory (SharedUserData, the IDT): no symbols.
    source = new DumpSymbolSource(new SymbolTable('no symbols'));
  } else if (profile.os === 'windows') {
    throw new UserError('SYMBOL_MISSING', `profile ${profile.name} needs the address of ${needed.join(', ')}: give --symbols FILE (System.map lines: '<hex address> T ${needed[0]}')`);
  } else {
    throw new UserError('SYMBOL_MISSING', `profile ${profile.name} needs kernel symbols: give --symbols FILE (a System.map or a /proc/kallsyms dump of this kernel)`);
  }
  const built = await buildPipeline({
    profile,
    table,
    configs: opts.configs ?? [],
    ...(opts.output !== undefined ? { output: opts.output } : {}),
    json: opts.json === true,
    summary: opts.summary === true,
    prefix: opts.prefix,
    quiet: opts.quiet === true,
    live: true,
  });
  return { profile, table, symbols: source, btf, built };
}

/** What `prepare` checked and built. */
export type Prepared = Awaited<ReturnType<typeof prepare>>;

/**
 * Attaches to the stub at `opts.gdb` and traces until the guest exits, the stub is lost, a
 * signal asks to stop, or a plugin pauses the guest. `onSession` lets the caller wire
 * signals to the session.
 */
export async function traceGuest(opts: TraceOptions, prepared: Prepared, onSession?: (s: TraceSession | ProbeSession) => void): Promise<TraceResult> {
  const { profile, table, symbols, btf, built } = prepared;
  const { pipeline, state } = built;
  const timeline = opts.perfetto ? new PerfettoSink(new LineWriter(opts.perfetto)) : undefined;
  const finish = async (): Promise<void> => {
    status?.stop();
    await pipeline.end();
    await built.outputs.end();
    await timeline?.end();
  };
  let client: GdbClient;
  try {
    client = await GdbClient.connect(opts.gdb, {
      timeoutMs: opts.timeoutMs,
      ...(opts.debugRsp ? { trace: (dir: string, d: Buffer) => process.stderr.write(`rsp ${dir === 'send' ? '->' : '<-'} ${JSON.stringify(d.toString('latin1'))}\n`) } : {}),
    });
  } catch (e) {
    await built.outputs.end();
    if (e instanceof RspError) throw new UserError('STUB_UNREACHABLE', e.message, { cause: e });
    throw e;
  }
  client.conn.on('protocol-warning', (msg: string) => info(opts.quiet, `warning: ${msg}`));
  let events = 0;
  // -e trace= on Windows: the session stops at every call, the selection filters what is reported.
  const onlyNames = opts.only && profile.os === 'windows' ? new Set(opts.only) : undefined;
  const Engine = opts.engine === 'probe' ? ProbeSession : TraceSession;
  const session = new Engine(client, {
    profile,
    table,
    symbols,
    strsize: opts.strsize,
    xlat: opts.xlat ?? 'abbrev',
    verbose: opts.verbose === true,
    bootTimeoutMs: opts.bootTimeoutMs,
    ...(opts.mode ? { mode: opts.mode } : {}),
    ...(opts.only && !onlyNames ? { only: opts.only } : {}),
    ...(btf ? { btf } : {}),
    emit: (ev) => {
      if (onlyNames && !onlyNames.has(ev.name)) return;
      if (opts.pids && !(opts.pids.includes(ev.pid ?? -1) || opts.pids.includes(ev.tid ?? -1))) return;
      if (opts.comm !== undefined && ev.comm !== opts.comm) return;
      events++;
      timeline?.event(ev);
      pipeline.dispatch(ev);
      // A stop action: end the session's loop here, while the guest is stopped at this event.
      if (state.stopReason !== undefined) throw new PauseRequest(state.stopReason);
    },
    info: (m) => info(opts.quiet, m),
  });
  onSession?.(session);
  const status = statusLine(opts, () => ({ events, pending: session.pendingCalls(), stops: session.stats.stops }));
  let end: TraceEnd;
  try {
    await pipeline.start();
    try {
      await session.attach();
    } catch (e) {
      if (e instanceof RspError) throw new UserError('STUB_LOST', `the GDB stub failed during attach: ${e.message}`, { cause: e, exitCode: 3 });
      throw e;
    }
    end = await session.run();
  } catch (e) {
    if (e instanceof PauseRequest) {
      // Breakpoints out, no D: QEMU keeps the guest stopped when its client goes away.
      await session.release();
      end = { kind: 'paused', reason: e.message };
    } else {
      await finish().catch(() => undefined);
      // Leave the guest running without our breakpoints if the stub still answers.
      if (!client.conn.closed) await session.detach().catch(() => undefined);
      client.close();
      throw e;
    }
  }
  await finish();
  const s = session.stats;
  info(opts.quiet, `${events} events, ${s.entries} calls entered, ${s.returns} returns, ${s.stops} stops, ${session.pendingCalls()} still pending${s.lost ? `, ${s.lost} lost` : ''}`);
  client.close();
  return { end, events, failures: state.failures };
}
