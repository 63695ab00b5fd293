/**
 * Calls whose arguments depend on one another (strace's per-call decoders): fcntl and
 * ioctl by command, prctl and arch_prctl by option, futex by operation, clone and clone3,
 * poll and pselect6; and the return values strace decorates (`0x8000 (flags ...)`).
 */
import { flags, hex, pointer, readView, struct, xval, type ArgCtx } from './context.js';
import { octal, signed, styled, unsigned } from './format.js';
import { both, entry, exit, fileFlags, intOut, readPath, retOk, type KindDef } from './helpers.js';
import * as S from './structs.js';
import { timespecWordOf, wordOf } from './arch.js';
import { CLONE_FLAGS } from './tables/linux-flags.js';
import * as M from './tables/linux-misc.js';
import { POLL_EVENTS } from './tables/linux-misc.js';

const GET_CMDS = new Set([1, 3, 9, 11, 1025, 1032, 1034, 16]);
const INT_CMDS = new Set([0, 8, 10, 1026, 1030, 1031, 1024]);

function ioctlName(c: ArgCtx, req: bigint): string {
  const n = M.IOCTLS.get(Number(req));
  if (n) return styled(hex(req), n, c.style.xlat);
  const dir = Number(req >> 30n) & 3;
  const dirs = ['_IOC_NONE', '_IOC_WRITE', '_IOC_READ', '_IOC_READ|_IOC_WRITE'][dir];
  return `_IOC(${dirs}, ${hex((req >> 8n) & 0xffn)}, ${hex(req & 0xffn)}, ${hex((req >> 16n) & 0x3fffn)})`;
}

async function ioctlArg(c: ArgCtx): Promise<string | null> {
  const req = Number(unsigned(c.raw(1), 4));
  switch (req) {
    case 0x541b: case 0x540f: case 0x5429: case 0x80045430: // FIONREAD TIOCGPGRP TIOCGSID TIOCGPTN
      return retOk(c) ? intOut(c) : pointer(c.v);
    case 0x5410: case 0x5421: case 0x40045431: // TIOCSPGRP FIONBIO TIOCSPTLCK
      return intOut({ ...c, ret: undefined });
    case 0x5401: // TCGETS
      return retOk(c) ? struct(c, 36, (v) => S.termios(c, v)) : pointer(c.v);
    case 0x5402: case 0x5403: case 0x5404: // TCSETS TCSETSW TCSETSF
      return struct({ ...c, ret: undefined }, 36, (v) => S.termios(c, v));
    case 0x5413:
      return retOk(c) ? struct(c, 8, (v) => S.winsize(v)) : pointer(c.v);
    case 0x5414:
      return struct({ ...c, ret: undefined }, 8, (v) => S.winsize(v));
    case 0x5422: case 0x5450: case 0x5451:
      return null;
    default:
      return pointer(c.v);
  }
}

function futexOp(c: ArgCtx, op: bigint): string {
  const cmd = op & 127n;
  let name = M.FUTEX_CMDS.get(Number(cmd));
  if (!name) return hex(op);
  if (op & 128n) name += '_PRIVATE';
  if (op & 256n) name += '|FUTEX_CLOCK_REALTIME';
  const rest = op & ~(127n | 128n | 256n);
  return styled(hex(op), rest ? `${name}|${hex(rest)}` : name, c.style.xlat);
}

async function futex(c: ArgCtx): Promise<string> {
  const op = unsigned(c.raw(1), 4);
  const cmd = Number(op & 127n);
  const val = unsigned(c.raw(2), 4).toString();
  const tw = timespecWordOf(c.info);
  const ts = async (): Promise<string> => struct({ ...c, ret: undefined }, 2 * tw, (v) => S.timespec(v, 0, tw), c.raw(3));
  const head = [pointer(c.raw(0)), futexOp(c, op)];
  const bitset = (x: bigint): string => (unsigned(x, 4) === 0xffffffffn ? styled('0xffffffff', 'FUTEX_BITSET_MATCH_ANY', c.style.xlat) : hex(unsigned(x, 4)));
  switch (cmd) {
    case 0: return [...head, val, await ts()].join(', ');
    case 1: case 7: case 8: return [...head, ...(cmd === 1 ? [val] : [])].join(', ');
    case 9: return [...head, val, await ts(), bitset(c.raw(5))].join(', ');
    case 10: return [...head, val, bitset(c.raw(5))].join(', ');
    case 3: return [...head, val, unsigned(c.raw(3), 4).toString(), pointer(c.raw(4))].join(', ');
    case 4: return [...head, val, unsigned(c.raw(3), 4).toString(), pointer(c.raw(4)), unsigned(c.raw(5), 4).toString()].join(', ');
    case 6: case 13: return [...head, await ts()].join(', ');
    default: return [...head, val, hex(c.raw(3)), pointer(c.raw(4)), hex(unsigned(c.raw(5), 4))].join(', ');
  }
}

async function prctl(c: ArgCtx): Promise<string> {
  const opt = Number(unsigned(c.raw(0), 4));
  const name = xval(c, BigInt(opt), M.PRCTL_OPTIONS, 'PR_');
  switch (opt) {
    case 15: return `${name}, ${await readPath(c, c.raw(1), 16)}`;
    case 16: return `${name}, ${retOk(c) ? await readPath(c, c.raw(1), 16) : pointer(c.raw(1))}`;
    case 4: return `${name}, ${xval(c, unsigned(c.raw(1), 8), M.SUID_DUMP, 'SUID_DUMP_')}`;
    case 3: case 7: case 21: case 37: case 39: return name;
    case 1: return `${name}, ${S.signalName(Number(unsigned(c.raw(1), 4)), S.signalArch(c))}`;
    case 2: return `${name}, ${retOk(c) ? await struct(c, 4, (v) => `[${v.i32(0) === 0 ? '0' : S.signalName(v.i32(0), S.signalArch(c))}]`, c.raw(1)) : pointer(c.raw(1))}`;
    case 8: case 36: case 38: return `${name}, ${unsigned(c.raw(1), 8)}, 0, 0, 0`.replace(/, 0, 0, 0$/, opt === 38 ? ', 0, 0, 0' : '');
    default: return [name, ...[1, 2, 3, 4].map((j) => hex(c.raw(j)))].join(', ');
  }
}

async function archPrctl(c: ArgCtx): Promise<string> {
  const code = Number(unsigned(c.raw(0), 4));
  const name = xval(c, BigInt(code), M.ARCH_PRCTL, 'ARCH_');
  if (code === 0x1003 || code === 0x1004) return `${name}, ${retOk(c) ? await struct(c, 8, (v) => `[${hex(v.u64(0))}]`, c.raw(1)) : pointer(c.raw(1))}`;
  return `${name}, ${hex(c.raw(1))}`;
}

async function clone(c: ArgCtx): Promise<string> {
  // By name: the order differs between architectures (kernel/fork.c CONFIG_CLONE_BACKWARDS*).
  const at = (name: string, fallback: number): bigint => {
    const i = c.info?.args.findIndex((a) => a.name === name) ?? -1;
    return c.raw(i >= 0 ? i : fallback);
  };
  const f = c.raw(0);
  const sig = Number(f & 0xffn);
  const fl = f & ~0xffn ? flags(c, f & ~0xffn, CLONE_FLAGS) : '';
  const sg = sig ? styled(String(sig), S.signalName(sig, S.signalArch(c)), c.style.xlat) : '';
  const parts = [`child_stack=${pointer(at('newsp', 1))}`, `flags=${[fl, sg].filter(Boolean).join('|') || '0'}`];
  const parent = at('parent_tidptr', 2);
  if (f & 0x100000n) parts.push(`parent_tid=${retOk(c) ? await intOut(c, parent) : pointer(parent)}`);
  if (f & 0x1200000n) parts.push(`child_tidptr=${pointer(at('child_tidptr', 3))}`);
  if (f & 0x80000n) parts.push(`tls=${pointer(at('tls', 4))}`);
  return parts.join(', ');
}

/** fd_set bits below nfds: `[3 4]`. */
async function fdset(c: ArgCtx, at: bigint, nfds: number): Promise<string> {
  if (at === 0n) return 'NULL';
  const bytes = Math.ceil(Math.max(nfds, 0) / 64) * 8;
  if (bytes === 0) return '[]';
  const v = await readView(c, at, bytes);
  if (!v) return hex(at);
  const fds: number[] = [];
  for (let i = 0; i < nfds; i++) if ((v.buf[i >> 3]! >> (i & 7)) & 1) fds.push(i);
  return `[${fds.join(' ')}]`;
}

async function pollfds(c: ArgCtx, at: bigint, n: number, out: boolean): Promise<string> {
  if (at === 0n) return 'NULL';
  const shown = Math.min(n, c.style.strsize);
  const v = await readView(c, at, 8 * shown);
  if (!v) return hex(at);
  const items: string[] = [];
  for (let i = 0; i < shown; i++) {
    const fd = v.i32(8 * i);
    const ev = BigInt(v.u16(8 * i + (out ? 6 : 4)));
    if (out && ev === 0n) continue;
    items.push(`{fd=${fd}, ${out ? 'revents' : 'events'}=${flags(c, ev, POLL_EVENTS)}}`);
  }
  return `[${items.join(', ')}${n > shown && !out ? ', ...' : ''}]`;
}

export const CALL_KINDS: Record<string, KindDef> = {
  fcntl_cmd: entry((c) => xval(c, unsigned(c.v, 4), M.FCNTL_CMDS, 'F_')),
  fcntl_arg: entry((c) => {
    const cmd = Number(unsigned(c.raw(1), 4));
    if (GET_CMDS.has(cmd)) return null;
    if (cmd === 4) return fileFlags(c, c.v, true);
    if (cmd === 2) return flags(c, unsigned(c.v, 4), M.FD_FLAGS);
    if (INT_CMDS.has(cmd)) return signed(c.v, 4).toString();
    return pointer(c.v);
  }),
  ioctl_req: entry((c) => ioctlName(c, unsigned(c.v, 4))),
  ioctl_arg: exit(ioctlArg),
  futex: entry(futex, true),
  prctl: exit(prctl),
  arch_prctl: exit(archPrctl),
  clone: exit(clone),
  clone_args: both(async (c) => {
    const text = await struct({ ...c, ret: undefined }, 64, (v) => S.cloneArgs(c, v));
    if (c.ret === undefined) return text;
    const before = c.entry ?? text;
    if (!retOk(c) || c.ret === 0n) return before;
    const out = await struct(c, 64, (v) => S.cloneArgsOut(c, v));
    return out && !out.startsWith('0x') ? `${before} => ${out}` : before;
  }),
  fdset: entry((c) => fdset(c, c.v, Number(signed(c.raw(0), 4))), true),
  pollfds: entry((c) => pollfds(c, c.v, Number(unsigned(c.raw(c.i + 1), 4)), false), true),
  /** pselect6's sixth argument: a {sigset pointer, size} pair. */
  pselect_sig: entry((c) => struct(c, 16, async (v) => `{${await struct({ ...c, ret: undefined }, 8, (s) => S.sigset(s.u64(0), 64, c.style.xlat, S.signalArch(c)), v.u64(0))}, ${v.u64(8)}}`), true),
  membarrier_cpu: entry((c) => (c.raw(1) & 1n ? signed(c.v, 4).toString() : null)),
};

/** What strace adds after the return value: `= 0x8000 (flags O_RDONLY|O_LARGEFILE)`. */
export interface ReturnCtx {
  ret: bigint;
  raw(j: number): bigint;
  c: ArgCtx;
}

type ReturnPrinter = (r: ReturnCtx) => Promise<string | undefined> | string | undefined;

export const RETURNS: Record<string, ReturnPrinter> = {
  fcntl: (r) => {
    const cmd = Number(unsigned(r.raw(1), 4));
    if (cmd === 3) return `${hex(r.ret)} (flags ${fileFlags({ ...r.c, style: { ...r.c.style, xlat: 'abbrev' } }, r.ret, true)})`;
    if (cmd === 1) return `${hex(r.ret)} (flags ${flags(r.c, r.ret, M.FD_FLAGS)})`;
    return undefined;
  },
  prctl: (r) => (Number(unsigned(r.raw(0), 4)) === 3 ? `${r.ret} (${xval({ ...r.c, style: { ...r.c.style, xlat: 'abbrev' } }, r.ret, M.SUID_DUMP, 'SUID_DUMP_')})` : undefined),
  membarrier: (r) => (r.raw(0) === 0n && r.ret !== 0n ? `${hex(r.ret)} (${flags(r.c, r.ret, M.MEMBARRIER_CMDS)})` : undefined),
  umask: (r) => octal(r.ret),
  rt_sigtimedwait: (r) => (r.ret > 0n ? `${r.ret} (${S.signalName(Number(r.ret), S.signalArch(r.c))})` : undefined),
  poll: async (r) => {
    if (r.ret === 0n) return '0 (Timeout)';
    return `${r.ret} (${await pollfds(r.c, r.raw(0), Number(unsigned(r.raw(1), 4)), true)})`;
  },
  pselect6: (r) => selectReturn(r, true),
  sched_getscheduler: (r) => `${r.ret} (${xval({ ...r.c, style: { ...r.c.style, xlat: 'abbrev' } }, r.ret, M.SCHED_POLICIES, 'SCHED_')})`,
  ppoll: async (r) => {
    if (r.ret === 0n) return '0 (Timeout)';
    const fds = await pollfds(r.c, r.raw(0), Number(unsigned(r.raw(1), 4)), true);
    const tw = timespecWordOf(r.c.info);
    const left = r.raw(2) === 0n ? '' : `, left ${await struct({ ...r.c, ret: undefined }, 2 * tw, (v) => S.timespec(v, 0, tw), r.raw(2))}`;
    return `${r.ret} (${fds}${left})`;
  },
  select: (r) => selectReturn(r, false),
};

async function selectReturn(r: ReturnCtx, spec: boolean): Promise<string | undefined> {
  if (r.ret === 0n) return '0 (Timeout)';
  const nfds = Number(signed(r.raw(0), 4));
  const parts: string[] = [];
  for (const [j, name] of [[1, 'in'], [2, 'out'], [3, 'except']] as const) {
    if (r.raw(j) === 0n) continue;
    const s = await fdset(r.c, r.raw(j), nfds);
    if (s !== '[]') parts.push(`${name} ${s}`);
  }
  if (r.raw(4) !== 0n) {
    // pselect6: a timespec; select: a timeval of longs.
    const w = spec ? timespecWordOf(r.c.info) : wordOf(r.c.info);
    const left = await struct({ ...r.c, ret: undefined }, 2 * w, (v) => (spec ? S.timespec(v, 0, w) : S.timeval(v, 0, w)), r.raw(4));
    parts.push(`left ${left}`);
  }
  return `${r.ret} (${parts.join(', ')})`;
}
