/**
 * The trace itself, shared by `systrace --gdb` (attach) and `systrace run` (start QEMU):
 * load the profile, its table and symbols, attach, run, and end cleanly on Ctrl-C,
 * SIGTERM or a dropped stub: breakpoints removed, guest detached, output flushed.
 */
import { GdbClient } from '../gdbstub/client.js';
import { RspError } from '../gdbstub/errors.js';
import { loadPrototypes } from '../decode/prototypes.js';
import { firstExitArg, argsOf } from '../decode/decoder.js';
import { loadProfile } from '../profile/profile.js';
import { loadSystemMap } from '../symbols/system-map.js';
import { loadBtf } from '../symbols/btf.js';
import { DumpSymbolSource } from '../symbols/source.js';
import { TraceSession, type SessionEnd } from '../trace/session.js';
import { JsonSink, LineWriter, TextSink, type Sink } from '../trace/sinks.js';
import { UserError } from '../util/errors.js';

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
  /** `-e trace=NAME,...`: only these calls stop the guest. */
  only?: string[];
  /** Kernel BTF file: names the process of each call. */
  btf?: string;
  /** Keep only events of these process or thread ids (-p). */
  pids?: number[];
  /** Keep only events of processes with this command name (--comm). */
  comm?: string;
}

export interface TraceResult {
  end: SessionEnd;
  events: number;
}

export function info(quiet: boolean | undefined, msg: string): void {
  if (!quiet) process.stderr.write(`systrace: ${msg}\n`);
}

/** Everything that can be checked before the guest is touched. */
export function prepare(opts: TraceOptions) {
  const profile = loadProfile(opts.profile);
  const table = loadPrototypes(profile.prototypes, profile.wordSize, profile.names);
  for (const name of opts.only ?? []) {
    if (!table.byShortName(name)) throw new UserError('USAGE', `-e trace: no syscall '${name}' in profile ${profile.name} (see: systrace syscalls --profile ${profile.name})`);
  }
  if (!opts.symbols) {
    throw new UserError('SYMBOL_MISSING', `profile ${profile.name} needs kernel symbols: give --symbols FILE (a System.map or a /proc/kallsyms dump of this kernel)`);
  }
  const symbols = loadSystemMap(opts.symbols);
  const btf = opts.btf ? loadBtf(opts.btf) : undefined;
  if ((opts.pids || opts.comm) && !btf) throw new UserError('USAGE', '-p and --comm need --btf FILE (the kernel\'s BTF, see scripts/kernel-btf.sh) to know processes');
  // The symbols the chosen mode plants breakpoints on must be there before QEMU is touched.
  const mode = opts.only ? 'selective' : opts.mode ?? (profile.exitStop ? 'exit' : 'entry');
  const needed = mode === 'entry' ? profile.entries.map((e) => e.symbol) : profile.exitStop ? [profile.exitStop.symbol] : [];
  const source = new DumpSymbolSource(symbols);
  const missing = source.missing(needed);
  if (missing.length) {
    throw new UserError('SYMBOL_MISSING', `symbol '${missing[0]}' (needed by ${profile.name} in ${mode} mode) is not in ${opts.symbols} (${symbols.size} symbols)`);
  }
  return { profile, table, symbols: source, btf };
}

/**
 * Attaches to the stub at `opts.gdb` and traces until the guest exits, the stub is lost or
 * `stopSignal` asks to stop. `onSession` lets the caller wire signals to the session.
 */
export async function traceGuest(opts: TraceOptions, onSession?: (s: TraceSession) => void): Promise<TraceResult> {
  const { profile, table, symbols, btf } = prepare(opts);
  const writer = new LineWriter(opts.output);
  const sink: Sink = opts.json
    ? new JsonSink(writer)
    : new TextSink(writer, {
        prefix: opts.prefix,
        firstExitArg: (ev) => firstExitArg(argsOf(table.getSyscallInfo(ev.no), ev.args.map((a) => BigInt(a.raw)))),
      });
  let client: GdbClient;
  try {
    client = await GdbClient.connect(opts.gdb, {
      timeoutMs: opts.timeoutMs,
      ...(opts.debugRsp ? { trace: (dir: string, d: Buffer) => process.stderr.write(`rsp ${dir === 'send' ? '->' : '<-'} ${JSON.stringify(d.toString('latin1'))}\n`) } : {}),
    });
  } catch (e) {
    if (e instanceof RspError) throw new UserError('STUB_UNREACHABLE', e.message, { cause: e });
    throw e;
  }
  client.conn.on('protocol-warning', (msg: string) => info(opts.quiet, `warning: ${msg}`));
  let events = 0;
  const session = new TraceSession(client, {
    profile,
    table,
    symbols,
    strsize: opts.strsize,
    bootTimeoutMs: opts.bootTimeoutMs,
    ...(opts.mode ? { mode: opts.mode } : {}),
    ...(opts.only ? { only: opts.only } : {}),
    ...(btf ? { btf } : {}),
    emit: (ev) => {
      if (opts.pids && !(opts.pids.includes(ev.pid ?? -1) || opts.pids.includes(ev.tid ?? -1))) return;
      if (opts.comm !== undefined && ev.comm !== opts.comm) return;
      events++;
      sink.event(ev);
    },
    info: (m) => info(opts.quiet, m),
  });
  onSession?.(session);
  let end: SessionEnd;
  try {
    try {
      await session.attach();
    } catch (e) {
      if (e instanceof RspError) throw new UserError('STUB_LOST', `the GDB stub failed during attach: ${e.message}`, { cause: e, exitCode: 3 });
      throw e;
    }
    end = await session.run();
  } catch (e) {
    await sink.end();
    // Leave the guest running without our breakpoints if the stub still answers.
    if (!client.conn.closed) await session.detach().catch(() => undefined);
    client.close();
    throw e;
  }
  await sink.end();
  const s = session.stats;
  info(opts.quiet, `${events} events, ${s.entries} calls entered, ${s.returns} returns, ${s.stops} stops, ${session.pendingCalls()} still pending${s.lost ? `, ${s.lost} lost` : ''}`);
  client.close();
  return { end, events };
}
