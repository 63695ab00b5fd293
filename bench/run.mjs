#!/usr/bin/env node
// npm run bench (through bench/run.sh, which installs and builds first): issue 9 item 1.
// Boots the x86_64 test guest with a dd workload between two console markers and times the
// workload's window (host arrival times of the marker lines on QEMU's stdout) under:
//   a   untraced (QEMU alone, no gdb client)
//   b   a minimal raw RSP loop (bench/raw-trace.mjs): entry + return-site stops, the floor
//   b1  the same loop with one stop per call at syscall_exit_to_user_mode (g, m pt_regs, step)
//   c   systrace, default mode (exit), --json -o /dev/null
//   c'  systrace --mode entry, --json -o /dev/null
//   d   Debian's gdb -batch with Python breakpoints (bench/gdb-trace.py), entries + returns
//   e   systrace -e trace=getppid (dd never calls it), --json -o /dev/null
//   f   systrace --engine probe (issue 10: a recorder in the guest kernel), --json -o FILE:
//       traced calls/s over the window, records lost; compared with (a) and (b)
//   a1  (big workload only) the raw client attached with a breakpoint on __x64_sys_getppid
//       that the workload never hits: what QEMU alone charges for a planted breakpoint
// each --runs times, interleaved; medians reported. a, a1 and e also run on a --big
// workload, where the window is long enough for their ratio to mean something.
// systrace runs from $BENCH_SYSTRACE when set (run.sh points it at a copy of dist/ made at
// the start, so that a rebuild of dist/ by someone else mid-run does not change the tracer).
// Results: a table on stdout, JSON in .cache/bench/results-<date>.json.
//
//   node bench/run.mjs [--count N] [--big N] [--runs R] [--cases a,b,b1,c,c2,d,e,f] [--big-cases a,a1,e] [--timeout S]
import { spawn, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, readdirSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import net from 'node:net';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Rsp, findSlide, handshake, loadSymbols, IDT_GATES } from './rsp.mjs';
import { rawTrace, rawExitTrace, rawIdle } from './raw-trace.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const GUEST = join(ROOT, '.cache/guest/x86_64');
const OUTDIR = join(ROOT, '.cache/bench');
const KALLSYMS = join(GUEST, 'kallsyms');
const QEMU = 'qemu-system-x86_64';

// ---- options ---------------------------------------------------------------------------

const opts = { count: 1000, big: 300000, runs: 3, cases: 'a,b,b1,c,c2,d,e,f', 'big-cases': 'a,a1,e', timeout: 600, rare: 'getppid' };
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i++) {
  const m = /^--(count|big|runs|cases|big-cases|timeout|rare)(?:=(.*))?$/.exec(argv[i]);
  if (!m) {
    if (argv[i] === '-h' || argv[i] === '--help') {
      process.stdout.write('usage: node bench/run.mjs [--count N=1000] [--big N=300000, 0: off] [--runs R=3] [--cases a,b,b1,c,c2,d,e,f] [--big-cases a,a1,e] [--timeout S=600] [--rare NAME=getppid]\n');
      process.exit(0);
    }
    process.stderr.write(`bench: unknown argument ${argv[i]} (see --help)\n`);
    process.exit(2);
  }
  const v = m[2] ?? argv[++i];
  opts[m[1]] = m[1] === 'cases' || m[1] === 'big-cases' || m[1] === 'rare' ? v : Number(v);
}
const CASES = opts.cases.split(',');
const BIG_CASES = opts.big > 0 ? opts['big-cases'].split(',') : [];
const SYSTRACE = process.env.BENCH_SYSTRACE || join(ROOT, 'bin/systrace');

const log = (s) => process.stderr.write(`bench: ${s}\n`);
const now = () => performance.now() / 1000; // seconds
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const median = (xs) => {
  const v = xs.filter((x) => typeof x === 'number' && Number.isFinite(x)).sort((a, b) => a - b);
  if (!v.length) return null;
  return v.length % 2 ? v[(v.length - 1) / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
};

// ---- the guest -------------------------------------------------------------------------

/** newc cpio (the kernel's initramfs format, Documentation/driver-api/early-userspace/buffer-format.rst). */
function cpioNewc(entries) {
  const parts = [];
  let ino = 1;
  const pad4 = (n) => Buffer.alloc((4 - (n % 4)) % 4);
  for (const e of [...entries, { name: 'TRAILER!!!', mode: 0, data: Buffer.alloc(0) }]) {
    const name = Buffer.from(e.name + '\0');
    const fields = [ino++, e.mode, 0, 0, e.mode & 0o040000 ? 2 : 1, 0, e.data.length, 0, 0, 0, 0, name.length, 0];
    const hdr = Buffer.from('070701' + fields.map((f) => f.toString(16).padStart(8, '0')).join(''));
    parts.push(hdr, name, pad4(hdr.length + name.length), e.data, pad4(e.data.length));
  }
  return Buffer.concat(parts);
}

/** The test guest's initramfs with /bench/init appended as a second archive. */
function buildInitrd() {
  const base = readFileSync(join(GUEST, 'initrd.gz'));
  const overlay = gzipSync(
    cpioNewc([
      { name: 'bench', mode: 0o040755, data: Buffer.alloc(0) },
      { name: 'bench/init', mode: 0o100755, data: readFileSync(join(ROOT, 'bench/guest-init.sh')) },
    ]),
  );
  // Zero padding between archives is skipped by the kernel's unpacker.
  const pad = Buffer.alloc((512 - (base.length % 512)) % 512);
  const out = join(OUTDIR, 'initrd-bench.gz');
  writeFileSync(out, Buffer.concat([base, pad, overlay]));
  return out;
}

let INITRD;
function guestArgs(count) {
  const args = readFileSync(join(GUEST, 'qemu-args'), 'utf8').split('\n').filter((l) => l !== '');
  const i = args.indexOf('-initrd');
  const j = args.indexOf('-append');
  if (i < 0 || j < 0) throw new Error('qemu-args has no -initrd or no -append');
  args[i + 1] = INITRD;
  args[j + 1] += ` rdinit=/bench/init bench_count=${count}`;
  return args;
}

// ---- processes -------------------------------------------------------------------------

/** Spawns and watches the console on stdout for the markers. */
function launch(cmd, args, { env, console = true, group = true } = {}) {
  const t0 = now();
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], detached: group, env: env ?? process.env });
  // cpuNow (set by the case): CPU seconds used so far by QEMU and the tracer, read at each marker.
  const r = { child, t0, marks: {}, cpu: {}, cpuNow: () => procCpu(child.pid), out: '', err: '', rss: [] };
  let partial = '';
  child.stdout.on('data', (d) => {
    const t = now();
    const s = d.toString('latin1');
    r.out = (r.out + s).slice(-4000);
    if (!console) return;
    partial += s;
    let nl;
    while ((nl = partial.indexOf('\n')) >= 0) {
      const line = partial.slice(0, nl).replace(/\r$/, '');
      partial = partial.slice(nl + 1);
      if (line === 'BENCH START' && r.marks.start === undefined) [r.marks.start, r.cpu.start] = [t, r.cpuNow()];
      if (line === 'BENCH END' && r.marks.end === undefined) [r.marks.end, r.cpu.end] = [t, r.cpuNow()];
    }
  });
  child.stderr.on('data', (d) => (r.err = (r.err + d.toString('latin1')).slice(-20000)));
  r.exited = new Promise((resolve) => {
    child.on('error', (e) => resolve({ code: 127, error: e.message }));
    child.on('close', (code, signal) => resolve({ code, signal, t: now() }));
  });
  return r;
}

const CLK_TCK = Number(sh('getconf', ['CLK_TCK']) ?? 100) || 100;

/** utime + stime of a process (all its threads), seconds; 0 when it is gone. */
function procCpu(pid) {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, 'latin1');
    const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / CLK_TCK;
  } catch {
    return 0;
  }
}

const selfCpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

/** Children of a process (e.g. the QEMU that systrace started), from /proc. */
function childrenOf(pid) {
  const out = [];
  try {
    for (const t of readdirSync(`/proc/${pid}/task`)) {
      const c = readFileSync(`/proc/${pid}/task/${t}/children`, 'utf8').trim();
      if (c) out.push(...c.split(/\s+/).map(Number));
    }
  } catch {}
  return out;
}

function kill(pid, sig) {
  try {
    process.kill(pid, sig);
  } catch {}
}

/** Waits for exit; past the deadline kills what this run started (by pid), then waits. */
async function finish(r, extraPids = () => []) {
  let timer;
  const timedOut = new Promise((res) => (timer = setTimeout(() => res('timeout'), opts.timeout * 1000)));
  const x = await Promise.race([r.exited, timedOut]);
  clearTimeout(timer);
  if (x !== 'timeout') return x;
  for (const p of [...extraPids(), ...childrenOf(r.child.pid)]) kill(p, 'SIGKILL');
  kill(r.child.pid, 'SIGKILL');
  const e = await r.exited;
  return { ...e, timeout: true };
}

function vmRssMB(pid) {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : null;
  } catch {
    return null;
  }
}

/** Samples a process's RSS every 100 ms: [seconds since t0, MB]. */
function pollRss(r, pid) {
  const iv = setInterval(() => {
    const v = vmRssMB(pid);
    if (v !== null) r.rss.push([now() - r.t0, v]);
  }, 100);
  r.exited.then(() => clearInterval(iv));
}

function rssSummary(r) {
  if (!r.rss.length) return null;
  const ws = r.marks.start === undefined ? null : r.marks.start - r.t0;
  // The sample nearest BENCH START (a short window can fall between two samples).
  let atStart = null;
  if (ws !== null) {
    let best = Infinity;
    for (const [t, v] of r.rss) if (Math.abs(t - ws) < best) [best, atStart] = [Math.abs(t - ws), v];
  }
  return { first: r.rss[0][1], window_start: atStart, end: r.rss[r.rss.length - 1][1], peak: Math.max(...r.rss.map(([, v]) => v)) };
}

async function waitFor(pred, ms, what) {
  const end = Date.now() + ms;
  for (;;) {
    const v = await pred();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

let SYMS;
const ENTRY_SYM = 'entry_SYSCALL_64';
const EXIT_SYM = 'syscall_exit_to_user_mode';
const RARE_SYM = () => `__x64_sys_${opts.rare}`;

// ---- the cases -------------------------------------------------------------------------

function windowOf(r) {
  const { start, end } = r.marks;
  const cpu_s = r.cpu.start !== undefined && r.cpu.end !== undefined ? r.cpu.end - r.cpu.start : null;
  return start !== undefined && end !== undefined ? { window_s: end - start, cpu_s, boot_s: start - r.t0 } : { window_s: null, cpu_s: null, boot_s: start === undefined ? null : start - r.t0 };
}

async function caseUntraced(count) {
  const r = launch(QEMU, guestArgs(count));
  const x = await finish(r);
  return { ...windowOf(r), total_s: x.t - r.t0, exit: x.code, timeout: !!x.timeout, console_tail: x.code ? r.out : undefined };
}

async function caseRaw(count, mode = 'entry') {
  const dir = mkdtempSync(join(os.tmpdir(), 'bench-'));
  const sock = join(dir, 'gdb.sock');
  const r = launch(QEMU, [...guestArgs(count), '-gdb', `unix:${sock},server=on,wait=off`, '-S']);
  r.cpuNow = () => procCpu(r.child.pid) + selfCpu(); // the client runs in this process
  let st;
  let err;
  try {
    await waitFor(() => existsSync(sock), 20000, 'the gdbstub socket');
    const rsp = await Rsp.connect({ path: sock });
    await handshake(rsp);
    const slide = await findSlide(rsp, SYMS);
    if (mode === 'exit') st = await rawExitTrace(rsp, SYMS.get(EXIT_SYM) + slide);
    else if (mode === 'idle') st = await rawIdle(rsp, [SYMS.get(RARE_SYM()) + slide]);
    else st = await rawTrace(rsp, SYMS.get(ENTRY_SYM) + slide);
    rsp.close();
  } catch (e) {
    err = String(e && e.stack ? e.stack : e);
  }
  const x = await finish(r);
  rmSync(dir, { recursive: true, force: true });
  return { ...windowOf(r), total_s: x.t - r.t0, exit: x.code, timeout: !!x.timeout, error: err, ...clientCounts(st) };
}

/** Window counts from a client's marker snapshots; whole-run counts besides. */
function clientCounts(st) {
  if (!st) return {};
  const { start, end } = st.marks ?? {};
  const w = start && end ? { calls: end.entries - start.entries, stops: end.stops - start.stops } : {};
  return {
    calls: w.calls ?? null,
    stops: w.stops ?? null,
    stops_per_call: w.calls ? w.stops / w.calls : null,
    run_totals: { stops: st.stops, entries: st.entries, returns: st.returns, other: st.other, packets: st.packets, sites: st.sites, end: st.end, error: st.error },
  };
}

async function caseGdb(count) {
  const port = await freePort();
  const r = launch(QEMU, [...guestArgs(count), '-gdb', `tcp:127.0.0.1:${port}`, '-S']);
  const resultFile = join(OUTDIR, `gdb-result-${process.pid}.json`);
  rmSync(resultFile, { force: true });
  let g;
  let err;
  try {
    const rsp = await waitFor(() => Rsp.connect({ host: '127.0.0.1', port }).catch(() => null), 20000, 'the gdbstub port');
    await handshake(rsp);
    const slide = await findSlide(rsp, SYMS);
    // Closing without D leaves the guest paused, without breakpoints, for gdb to attach.
    rsp.close();
    await sleep(100);
    const entry = SYMS.get(ENTRY_SYM) + slide;
    g = launch('gdb', ['-q', '-nx', '-batch', '-x', join(ROOT, 'bench/gdb-trace.py')], {
      console: false,
      group: false,
      env: { ...process.env, BENCH_TARGET: `127.0.0.1:${port}`, BENCH_ENTRY: entry.toString(16), BENCH_OUT: resultFile },
    });
    pollRss(g, g.child.pid);
    r.cpuNow = () => procCpu(r.child.pid) + procCpu(g.child.pid);
  } catch (e) {
    err = String(e && e.stack ? e.stack : e);
  }
  const x = await finish(r, () => (g ? [g.child.pid] : []));
  let st;
  if (g) {
    const gx = await finish(g);
    try {
      st = JSON.parse(readFileSync(resultFile, 'utf8'));
    } catch (e) {
      err = `no gdb result (gdb exit ${gx.code}): ${g.err.slice(-2000)}`;
    }
    rmSync(resultFile, { force: true });
  }
  return { ...windowOf(r), total_s: x.t - r.t0, exit: x.code, timeout: !!x.timeout, error: err ?? st?.error, ...clientCounts(st), rss_mb: g ? rssSummary({ ...g, marks: { start: r.marks.start }, t0: g.t0 }) : null };
}

async function caseSystrace(count, extra, output = '/dev/null') {
  const qargs = guestArgs(count);
  const r = launch(process.execPath, [SYSTRACE, 'run', '--json', '-o', output, '--symbols', KALLSYMS, ...extra, '--', QEMU, ...qargs]);
  pollRss(r, r.child.pid);
  r.cpuNow = () => procCpu(r.child.pid) + childrenOf(r.child.pid).reduce((a, p) => a + procCpu(p), 0);
  const x = await finish(r);
  const m = /(\d+) events, (\d+) calls entered, (\d+) returns, (\d+) stops/.exec(r.err);
  const summary = m ? { events: +m[1], entered: +m[2], returns: +m[3], stops: +m[4] } : null;
  const mode = /^systrace: (one stop per call|selective|breakpoint on).*$/m.exec(r.err)?.[0];
  return {
    ...windowOf(r),
    total_s: x.t - r.t0,
    exit: x.code,
    timeout: !!x.timeout,
    error: x.code !== 0 || !summary ? r.err.slice(-2000) : undefined,
    run_totals: summary,
    // Whole-run figure: systrace's output went to /dev/null, so its window stops are not known.
    stops_per_call: summary && summary.entered ? summary.stops / summary.entered : null,
    systrace_mode: mode,
    stderr_all: output === '/dev/null' ? undefined : r.err,
    rss_mb: rssSummary(r),
    // [seconds since start, MB], one a second, for a look at the trend.
    rss_samples: r.rss.filter((_, i) => i % 10 === 0).map(([t, v]) => [+t.toFixed(1), +v.toFixed(1)]),
  };
}

/**
 * (f) the probe engine. Its trace goes to a file, where dd's one-byte reads and writes
 * (fd 0 and 1) are counted: every call of the workload must be there. Records lost are
 * what the probe reported.
 */
async function caseProbe(count) {
  const dir = mkdtempSync(join(os.tmpdir(), 'bench-probe-'));
  const trace = join(dir, 'trace.jsonl');
  const res = await caseSystrace(count, ['--profile', 'linux_x64', '--engine', 'probe'], trace);
  let traced = null;
  try {
    traced = 0;
    for (const line of readFileSync(trace, 'utf8').split('\n')) {
      if (!line.includes('"dir":"return"')) continue;
      const e = JSON.parse(line);
      if ((e.name === 'read' || e.name === 'write') && e.args?.[2]?.raw === '0x1' && (e.args[0].raw === '0x0' || e.args[0].raw === '0x1')) traced++;
    }
  } catch {}
  rmSync(dir, { recursive: true, force: true });
  const lost = [...(res.stderr_all ?? '').matchAll(/probe: (\d+) records lost/g)].reduce((a, m) => a + Number(m[1]), 0);
  delete res.stderr_all;
  return { ...res, probe_dd_calls: traced, records_lost: lost };
}

const CASE_DEFS = {
  a: { label: '(a) untraced', run: (n) => caseUntraced(n) },
  b: { label: '(b) raw RSP loop, entry+return', run: (n) => caseRaw(n) },
  b1: { label: '(b1) raw RSP loop, exit stop only', run: (n) => caseRaw(n, 'exit') },
  a1: { label: () => `(a1) attached, idle bp on __x64_sys_${opts.rare}`, run: (n) => caseRaw(n, 'idle') },
  c: { label: '(c) systrace (exit mode)', run: (n) => caseSystrace(n, []) },
  c2: { label: "(c') systrace --mode entry", run: (n) => caseSystrace(n, ['--mode', 'entry']) },
  d: { label: '(d) gdb -batch, Python bps', run: (n) => caseGdb(n) },
  e: { label: () => `(e) systrace -e trace=${opts.rare}`, run: (n) => caseSystrace(n, ['-e', `trace=${opts.rare}`]) },
  f: { label: '(f) systrace --engine probe', run: (n) => caseProbe(n) },
};
const labelOf = (k) => (typeof CASE_DEFS[k].label === 'function' ? CASE_DEFS[k].label() : CASE_DEFS[k].label);

// ---- main ------------------------------------------------------------------------------

function sh(cmd, args) {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return null;
  }
}

async function main() {
  for (const c of [...CASES, ...BIG_CASES]) if (!CASE_DEFS[c]) throw new Error(`unknown case ${c} (a,b,b1,c,c2,d,e,f)`);
  for (const f of ['qemu-args', 'initrd.gz', 'kallsyms']) {
    if (!existsSync(join(GUEST, f))) throw new Error(`${join(GUEST, f)} missing: run bash scripts/build-guest.sh (npm run bench does)`);
  }
  if (CASES.some((c) => c.startsWith('c') || c === 'e' || c === 'f') && !existsSync(join(ROOT, 'dist/src/cli/main.js'))) throw new Error('dist/ missing: npx tsc -p .');
  mkdirSync(OUTDIR, { recursive: true });
  INITRD = buildInitrd();
  SYMS = loadSymbols(KALLSYMS, [ENTRY_SYM, EXIT_SYM, ...(BIG_CASES.includes('a1') ? [RARE_SYM()] : []), ...Object.values(IDT_GATES)]);
  const help = sh(process.execPath, [SYSTRACE, '--help']) ?? '';
  const haveSelective = /trace=NAME/.test(help);

  const started = new Date();
  const t0 = now();
  const host = {
    cpus: os.cpus().length,
    uptime_start: sh('uptime', []),
    qemu: sh(QEMU, ['--version'])?.split('\n')[0],
    gdb: sh('gdb', ['--version'])?.split('\n')[0],
    node: process.version,
    kernel: readFileSync(join(GUEST, 'kernel-version'), 'utf8').trim(),
    git: sh('git', ['-C', ROOT, 'describe', '--always', '--dirty']),
  };
  log(`count ${opts.count}, big ${opts.big}, runs ${opts.runs}, cases ${CASES.join(',')}; load: ${host.uptime_start}`);

  const plan = [];
  for (let i = 0; i < opts.runs; i++) for (const c of CASES) plan.push({ key: c, count: opts.count, rep: i + 1 });
  for (let i = 0; i < opts.runs; i++) for (const c of BIG_CASES) plan.push({ key: c + '+', base: c, count: opts.big, rep: i + 1 });

  const runs = [];
  for (const p of plan) {
    const base = p.base ?? p.key;
    const load = os.loadavg();
    if (base === 'e' && !haveSelective) {
      runs.push({ ...p, skipped: 'systrace has no -e trace= yet' });
      continue;
    }
    let res;
    try {
      res = await CASE_DEFS[base].run(p.count);
    } catch (e) {
      res = { error: String(e && e.stack ? e.stack : e) };
    }
    const run = { case: p.key, count: p.count, rep: p.rep, load1: +load[0].toFixed(2), ...res };
    runs.push(run);
    const w = run.window_s == null ? 'no window' : `window ${run.window_s.toFixed(3)} s`;
    log(`${p.key.padEnd(3)} #${p.rep} N=${p.count}: ${w}, total ${run.total_s?.toFixed(1)} s, exit ${run.exit}${run.calls != null ? `, ${run.calls} calls, ${run.stops} stops` : ''}${run.run_totals?.events != null ? `, ${run.run_totals.events} events/${run.run_totals.stops} stops (whole run)` : ''}${run.error ? `; ERROR ${run.error.split('\n')[0]}` : ''} (load ${run.load1})`);
  }

  // ---- summary ----
  const by = (k) => runs.filter((r) => r.case === k && !r.skipped);
  const ok = (r) => r.window_s != null && !r.error && r.exit === 0;
  // The workload's syscalls in the window, counted exactly by the clients (b, d); the same
  // deterministic dd loop under every case. Its fixed part (fork, exec, dd start and exit,
  // markers) gives the estimate for the big workload.
  const counted = [...by('b'), ...by('d')].filter(ok).map((r) => r.calls).filter((x) => x != null);
  const workCalls = median(counted);
  const fixed = workCalls == null ? null : workCalls - 2 * opts.count;
  const callsFor = (count) => (fixed == null ? null : count === opts.count ? workCalls : 2 * count + fixed);
  const untracedWin = median(by('a').filter(ok).map((r) => r.window_s));

  const summary = {};
  for (const k of [...CASES, ...BIG_CASES.map((c) => c + '+')]) {
    const rs = by(k);
    if (!rs.length) {
      if (runs.some((r) => r.case === k && r.skipped)) summary[k] = { skipped: runs.find((r) => r.case === k).skipped };
      continue;
    }
    const good = rs.filter(ok);
    const count = rs[0].count;
    const own = k === 'b' || k === 'b1' || k === 'd'; // a1 counts only stray stops
    // (f) counts dd's own calls in its trace.
    const probeCount = k === 'f' ? median(good.map((r) => r.probe_dd_calls)) : null;
    const calls = own ? median(good.map((r) => r.calls)) : probeCount ?? callsFor(count);
    const win = median(good.map((r) => r.window_s));
    const rate = median(good.map((r) => (calls == null ? null : calls / r.window_s)));
    const base = k.endsWith('+') ? median(by('a+').filter(ok).map((r) => r.window_s)) : untracedWin;
    summary[k] = {
      label: labelOf(k.replace('+', '')) + (k.endsWith('+') ? ` (big N=${count})` : ''),
      count,
      runs: rs.length,
      ok: good.length,
      window_s: win,
      cpu_s: median(good.map((r) => r.cpu_s)),
      calls_per_cpu_s: median(good.map((r) => (calls == null || !r.cpu_s ? null : calls / r.cpu_s))),
      window_min_max: good.length ? [Math.min(...good.map((r) => r.window_s)), Math.max(...good.map((r) => r.window_s))] : null,
      calls,
      calls_source: own ? 'client counters' : probeCount != null ? "dd's calls in the probe's trace" : 'workload (counted by b/d)',
      // (e): the calls systrace reported in the whole run (none of them in the window).
      traced_calls: k === 'e' || k === 'e+' ? median(good.map((r) => r.run_totals?.entered)) : calls,
      calls_per_s: rate,
      // (f): dd's own calls found in the probe's trace, and the records it reported lost.
      ...(k === 'f' ? { probe_dd_calls: median(good.map((r) => r.probe_dd_calls)), records_lost: median(rs.map((r) => r.records_lost)) } : {}),
      stops_per_call: median(good.map((r) => r.stops_per_call)),
      stops_per_call_scope: own ? 'window' : k.startsWith('c') || k.startsWith('e') ? 'whole run (systrace summary)' : null,
      added_ms_per_call: win != null && base != null && calls ? ((win - base) / calls) * 1000 : null,
      boot_to_start_s: median(good.map((r) => r.boot_s)),
      total_s: median(good.map((r) => r.total_s)),
      rss_mb: good.some((r) => r.rss_mb)
        ? {
            window_start: median(good.map((r) => r.rss_mb?.window_start)),
            end: median(good.map((r) => r.rss_mb?.end)),
            peak: median(good.map((r) => r.rss_mb?.peak)),
          }
        : null,
    };
  }
  const s = (k, f) => summary[k]?.[f] ?? null;
  const ratio = (x, y) => (x != null && y ? x / y : null);
  const ratios = {
    'c/b calls/s': ratio(s('c', 'calls_per_s'), s('b', 'calls_per_s')),
    "c'/b calls/s": ratio(s('c2', 'calls_per_s'), s('b', 'calls_per_s')),
    'b1/b calls/s': ratio(s('b1', 'calls_per_s'), s('b', 'calls_per_s')),
    'c/b1 calls/s': ratio(s('c', 'calls_per_s'), s('b1', 'calls_per_s')),
    'c/d calls/s': ratio(s('c', 'calls_per_s'), s('d', 'calls_per_s')),
    'b/d calls/s': ratio(s('b', 'calls_per_s'), s('d', 'calls_per_s')),
    'c/b calls/CPU-s': ratio(s('c', 'calls_per_cpu_s'), s('b', 'calls_per_cpu_s')),
    'c/b1 calls/CPU-s': ratio(s('c', 'calls_per_cpu_s'), s('b1', 'calls_per_cpu_s')),
    'c/d calls/CPU-s': ratio(s('c', 'calls_per_cpu_s'), s('d', 'calls_per_cpu_s')),
    'e/a CPU-s, big N': ratio(s('e+', 'cpu_s'), s('a+', 'cpu_s')),
    'e/a window': ratio(s('e', 'window_s'), s('a', 'window_s')),
    'e/a window, big N': ratio(s('e+', 'window_s'), s('a+', 'window_s')),
    'a1/a window, big N': ratio(s('a1+', 'window_s'), s('a+', 'window_s')),
    'f calls/s': s('f', 'calls_per_s'),
    'f/b calls/s': ratio(s('f', 'calls_per_s'), s('b', 'calls_per_s')),
    'f/a window': ratio(s('f', 'window_s'), s('a', 'window_s')),
    'f/a whole run': ratio(s('f', 'total_s'), s('a', 'total_s')),
    'f records lost': s('f', 'records_lost'),
    'e/a1 window, big N': ratio(s('e+', 'window_s'), s('a1+', 'window_s')),
  };
  const goals = { 'f calls/s': ['>=', 10000], 'f/b calls/s': ['>=', 50], 'f/a whole run': ['<=', 2], 'f records lost': ['<=', 0], 'c/b calls/s': ['>=', 1.15], 'c/d calls/s': ['>=', 1.3], 'e/a window': ['<=', 1.15], 'e/a window, big N': ['<=', 1.15] };

  const total = now() - t0;
  host.uptime_end = sh('uptime', []);
  const result = { date: started.toISOString(), options: opts, systrace: SYSTRACE, host, workload_calls: workCalls, total_s: total, summary, ratios, goals, runs };
  const file = join(OUTDIR, `results-${started.toISOString().replace(/[:]/g, '-').replace(/\..*/, '')}.json`);
  writeFileSync(file, JSON.stringify(result, null, 2) + '\n');

  // ---- table ----
  const f = (v, d = 1) => (v == null ? '-' : typeof v === 'number' ? v.toFixed(d) : String(v));
  const rows = [['case', 'N', 'ok', 'window s (min-max)', 'CPU s', 'calls', 'calls/s', 'calls/CPU-s', 'stops/call', '+ms/call', 'boot s', 'RSS MB start>end (peak)']];
  for (const [k, v] of Object.entries(summary)) {
    if (v.skipped) {
      rows.push([labelOf(k.replace('+', '')), '', '', `skipped: ${v.skipped}`, '', '', '', '', '', '', '', '']);
      continue;
    }
    rows.push([
      v.label,
      String(v.count),
      `${v.ok}/${v.runs}`,
      v.window_s == null ? '-' : `${f(v.window_s, 3)} (${f(v.window_min_max[0], 3)}-${f(v.window_min_max[1], 3)})`,
      f(v.cpu_s, 2),
      k === 'e' || k === 'e+' ? `${f(v.calls, 0)} (${f(v.traced_calls, 0)} traced)` : `${f(v.calls, 0)}${v.calls_source.startsWith('workload') ? '*' : ''}`,
      f(v.calls_per_s, 0),
      f(v.calls_per_cpu_s, 0),
      v.stops_per_call == null ? '-' : `${f(v.stops_per_call, 2)}${v.stops_per_call_scope?.startsWith('whole') ? '†' : ''}`,
      f(v.added_ms_per_call, 2),
      f(v.boot_to_start_s, 1),
      v.rss_mb ? `${f(v.rss_mb.window_start, 0)}>${f(v.rss_mb.end, 0)} (${f(v.rss_mb.peak, 0)})` : '-',
    ]);
  }
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  const out = [];
  out.push(`systrace bench ${result.date}: dd bs=1 count=${opts.count} (${workCalls ?? '?'} syscalls in the window), ${opts.runs} runs each, medians`);
  out.push(`host: ${host.cpus} CPUs; ${host.qemu}; ${host.gdb}; node ${host.node}; guest kernel ${host.kernel}; git ${host.git}`);
  for (const [i, r] of rows.entries()) {
    out.push(r.map((c, j) => (j === 0 ? c.padEnd(widths[j]) : c.padStart(widths[j]))).join('  '));
    if (i === 0) out.push(widths.map((w) => '-'.repeat(w)).join('  '));
  }
  out.push('* calls in the window: the workload\'s count, from the clients of (b)/(d) (same dd loop in every case); the big N is 2N + the fixed part');
  out.push("† systrace's stops / calls entered over the whole run (boot and init included): its trace goes to /dev/null, so the window's own stops are not counted");
  out.push('CPU s: CPU time QEMU and the tracer (systrace, gdb, or this process for b/b1/a1) used between the markers (/proc stat, 10 ms ticks): less sensitive than wall time to other load on the host');
  out.push('+ms/call: (window - untraced window) / calls. RSS: VmRSS of the tracer process (systrace node, or gdb) at BENCH START, at exit, peak');
  out.push('ratios:');
  for (const [k, v] of Object.entries(ratios)) {
    const g = goals[k];
    const verdict = v == null || !g ? '' : (g[0] === '>=' ? v >= g[1] : v <= g[1]) ? `  (goal ${g[0]} ${g[1]}: met)` : `  (goal ${g[0]} ${g[1]}: NOT met)`;
    const shown = v == null ? '-' : k === 'f calls/s' || k === 'f records lost' ? v.toFixed(0) : v.toFixed(2) + 'x';
    out.push(`  ${k.padEnd(18)} ${shown}${verdict}`);
  }
  out.push(`load: start [${host.uptime_start}]  end [${host.uptime_end}]; load1 per run ${runs.map((r) => r.load1).filter((x) => x != null).join(' ')}`);
  out.push(`total ${total.toFixed(0)} s; JSON: ${file}`);
  process.stdout.write(out.join('\n') + '\n');
  const failed = runs.filter((r) => !r.skipped && !ok(r));
  if (failed.length) {
    log(`${failed.length} run(s) failed: ${failed.map((r) => `${r.case}#${r.rep}`).join(' ')} (details in the JSON)`);
    process.exitCode = 1;
  }
}

main().catch((e) => {
  log(`error: ${e && e.stack ? e.stack : e}`);
  process.exit(1);
});
