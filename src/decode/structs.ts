/**
 * Struct printers for x86_64 layouts (include/uapi/asm-generic and arch/x86 uapi headers),
 * in strace 6.1's notation: abbreviated with `...` unless -v, constants by the -X style.
 */
import { flags, hex, readView, xval, type ArgCtx } from './context.js';
import { octal, quoteBytes, styled, type XlatStyle } from './format.js';
import { SIGNALS } from './tables/linux-flags.js';
import { archOf, type Arch } from './arch.js';
import { DIRENT_TYPES, FILE_TYPES, FS_MAGIC, MODE_SETID, STATFS_FLAGS, STATX_ATTRS, STATX_MASK, S_IFMT } from './tables/linux-misc.js';
import { ADDRESS_FAMILIES } from './tables/linux-net.js';
import { CLD_CODES, EPOLL_EVENTS, SA_FLAGS, SA_FLAGS_MIPS, SA_RESTORER, SIG_HANDLERS, SIGALTSTACK_FLAGS, SI_CODES } from './tables/linux-signal.js';
import { CLONE_FLAGS } from './tables/linux-flags.js';
import { View } from './view.js';
import * as T from './tables/linux-termios.js';

/** st_mode and friends: `S_IFREG|0644`, `S_IFDIR|S_ISVTX|0777` (strace print_symbolic_mode_t). */
export function fileMode(c: ArgCtx, mode: number): string {
  const type = FILE_TYPES.get(mode & S_IFMT);
  const setid = flags({ ...c, style: { ...c.style, xlat: 'abbrev' } }, BigInt(mode & 0o7000), MODE_SETID);
  const names = [type ?? (mode & S_IFMT ? octal(BigInt(mode & S_IFMT)) : ''), setid === '0' ? '' : setid, octal(BigInt(mode & 0o777))];
  const text = names.filter(Boolean).join('|');
  const raw = '0' + mode.toString(8);
  if (c.style.xlat === 'raw') return raw;
  return c.style.xlat === 'verbose' ? `${raw} /* ${text} */` : text;
}

/** makedev(0xfe, 0) from a 64-bit dev_t (glibc gnu_dev_major/minor); `0x2 /* makedev(0, 0x2) *\/` under -X verbose. */
export function makedev(dev: bigint, style: XlatStyle = 'abbrev'): string {
  const x = (v: bigint): string => (v === 0n ? '0' : hex(v));
  const major = ((dev >> 8n) & 0xfffn) | ((dev >> 32n) & ~0xfffn);
  const minor = (dev & 0xffn) | ((dev >> 12n) & ~0xffn);
  return styled(x(dev), `makedev(${x(major)}, ${x(minor)})`, style);
}

/**
 * `2026-11-29T04:33:27.729770064+0000` (UTC: the guest has no time zone). In integers
 * (H. Hinnant's civil_from_days), as gmtime does: a JS Date ends at year 275760 and a
 * guest's time_t does not (a Date printed `NaN-NaN-NaNTNaN:NaN:NaN`).
 */
export function isoTime(sec: bigint, nsec?: bigint): string {
  const div = (a: bigint, b: bigint): bigint => (a >= 0n ? a / b : -((-a + b - 1n) / b));
  const days = div(sec, 86400n);
  const tod = Number(sec - days * 86400n);
  const z = days + 719468n;
  const era = div(z, 146097n);
  const doe = z - era * 146097n;
  const yoe = (doe - doe / 1460n + doe / 36524n - doe / 146096n) / 365n;
  const doy = doe - (365n * yoe + yoe / 4n - yoe / 100n);
  const mp = (5n * doy + 2n) / 153n;
  const day = Number(doy - (153n * mp + 2n) / 5n + 1n);
  const month = Number(mp < 10n ? mp + 3n : mp - 9n);
  const year = yoe + era * 400n + (month <= 2 ? 1n : 0n);
  const p = (n: number, w = 2): string => String(n).padStart(w, '0');
  const base = `${year}-${p(month)}-${p(day)}T${p(Math.floor(tod / 3600))}:${p(Math.floor(tod / 60) % 60)}:${p(tod % 60)}`;
  return `${base}${nsec !== undefined ? '.' + String(nsec).padStart(9, '0') : ''}+0000`;
}

/** struct stat (x86_64, 144 bytes). */
export const STAT_SIZE = 144;
export function stat(c: ArgCtx, v: View): string {
  const mode = v.u32(24);
  const dev = (mode & S_IFMT) === 0o20000 || (mode & S_IFMT) === 0o60000;
  if (!c.style.verbose) {
    return `{st_mode=${fileMode(c, mode)}, ${dev ? `st_rdev=${makedev(v.u64(40), c.style.xlat)}` : `st_size=${v.i64(48)}`}, ...}`;
  }
  const t = (name: string, off: number): string => {
    const s = v.i64(off);
    const ns = v.i64(off + 8);
    return `st_${name}=${s}${c.style.xlat === 'raw' || s === 0n ? '' : ` /* ${isoTime(s, ns === 0n ? undefined : ns)} */`}, st_${name}_nsec=${ns}`;
  };
  return `{st_dev=${makedev(v.u64(0), c.style.xlat)}, st_ino=${v.u64(8)}, st_mode=${fileMode(c, mode)}, st_nlink=${v.u64(16)}, st_uid=${v.u32(28)}, st_gid=${v.u32(32)}, st_blksize=${v.i64(56)}, st_blocks=${v.i64(64)}, ${dev ? `st_rdev=${makedev(v.u64(40), c.style.xlat)}` : `st_size=${v.i64(48)}`}, ${t('atime', 72)}, ${t('mtime', 88)}, ${t('ctime', 104)}}`;
}

/**
 * The generic struct stat (include/uapi/asm-generic/stat.h: arm64, riscv) moved into the
 * x86_64 layout `stat` reads: dev, ino, nlink (u32 here), mode, uid, gid, rdev, size,
 * blksize (i32), blocks, times.
 */
export function genericStat(v: View): View {
  const b = Buffer.alloc(STAT_SIZE);
  b.writeBigUInt64LE(v.u64(0), 0);
  b.writeBigUInt64LE(v.u64(8), 8);
  b.writeBigUInt64LE(BigInt(v.u32(20)), 16);
  b.writeUInt32LE(v.u32(16), 24);
  b.writeUInt32LE(v.u32(24), 28);
  b.writeUInt32LE(v.u32(28), 32);
  b.writeBigUInt64LE(v.u64(32), 40);
  b.writeBigInt64LE(v.i64(48), 48);
  b.writeBigInt64LE(BigInt(v.i32(56)), 56);
  b.writeBigInt64LE(v.i64(64), 64);
  for (let i = 0; i < 6; i++) b.writeBigUInt64LE(v.u64(72 + 8 * i), 72 + 8 * i);
  return new View(b);
}

/** struct statx (256 bytes). */
export const STATX_SIZE = 256;
export function statx(c: ArgCtx, v: View): string {
  const mask = BigInt(v.u32(0));
  const head = `stx_mask=${flags(c, mask, STATX_MASK)}`;
  const mode = fileMode(c, v.u16(28));
  if (!c.style.verbose) return `{${head}, stx_attributes=${flags(c, v.u64(8), STATX_ATTRS)}, stx_mode=${mode}, stx_size=${v.u64(40)}, ...}`;
  const ts = (off: number): string => {
    const s = v.i64(off);
    const ns = BigInt(v.u32(off + 8));
    return `{tv_sec=${s}, tv_nsec=${ns}}${c.style.xlat === 'raw' || s === 0n ? '' : ` /* ${isoTime(s, ns === 0n ? undefined : ns)} */`}`;
  };
  const parts = [
    head, `stx_blksize=${v.u32(4)}`, `stx_attributes=${flags(c, v.u64(8), STATX_ATTRS)}`, `stx_nlink=${v.u32(16)}`,
    `stx_uid=${v.u32(20)}`, `stx_gid=${v.u32(24)}`, `stx_mode=${mode}`, `stx_ino=${v.u64(32)}`, `stx_size=${v.u64(40)}`,
    `stx_blocks=${v.u64(48)}`, `stx_attributes_mask=${flags(c, v.u64(56), STATX_ATTRS)}`, `stx_atime=${ts(64)}`,
  ];
  if (mask & 0x800n) parts.push(`stx_btime=${ts(80)}`);
  parts.push(`stx_ctime=${ts(96)}`, `stx_mtime=${ts(112)}`, `stx_rdev_major=${v.u32(128)}`, `stx_rdev_minor=${v.u32(132)}`,
    `stx_dev_major=${v.u32(136)}`, `stx_dev_minor=${v.u32(140)}`);
  if (mask & 0x1000n) parts.push(`stx_mnt_id=${hex(v.u64(144))}`);
  return `{${parts.join(', ')}}`;
}

/** struct statfs (x86_64, 120 bytes): strace prints it whole. */
export const STATFS_SIZE = 120;
export function statfs(c: ArgCtx, v: View): string {
  const type = xval(c, v.u64(0), FS_MAGIC, '');
  return `{f_type=${type.replace(/ \/\* \?\?\? \*\/$/, '')}, f_bsize=${v.i64(8)}, f_blocks=${v.u64(16)}, f_bfree=${v.u64(24)}, f_bavail=${v.u64(32)}, f_files=${v.u64(40)}, f_ffree=${v.u64(48)}, f_fsid={val=[${hex(BigInt(v.u32(56)))}, ${hex(BigInt(v.u32(60)))}]}, f_namelen=${v.i64(64)}, f_frsize=${v.i64(72)}, f_flags=${flags(c, v.u64(80), STATFS_FLAGS)}}`;
}

/**
 * Time structs in fields of `w` bytes: 8 for __kernel_timespec and the 64-bit ABIs' longs, 4 for
 * 32-bit ABIs' old_timespec32 (the *_time32 calls) and their long-based timeval, rusage, rlimit.
 */
function sword(v: View, off: number, w: 4 | 8): bigint {
  return w === 4 ? BigInt(v.i32(off)) : v.i64(off);
}

export function timespec(v: View, off = 0, w: 4 | 8 = 8): string {
  return `{tv_sec=${sword(v, off, w)}, tv_nsec=${sword(v, off + w, w)}}`;
}

export function timeval(v: View, off = 0, w: 4 | 8 = 8): string {
  return `{tv_sec=${sword(v, off, w)}, tv_usec=${sword(v, off + w, w)}}`;
}

export function itimerval(v: View, w: 4 | 8 = 8): string {
  return `{it_interval=${timeval(v, 0, w)}, it_value=${timeval(v, 2 * w, w)}}`;
}

export function itimerspec(v: View, w: 4 | 8 = 8): string {
  return `{it_interval=${timespec(v, 0, w)}, it_value=${timespec(v, 2 * w, w)}}`;
}

/** A resource limit: `RLIM64_INFINITY`, `8192*1024` (strace sprint_rlim64). */
export function rlim(x: bigint, style: XlatStyle = 'abbrev'): string {
  const text = x === 0xffffffffffffffffn ? 'RLIM64_INFINITY' : x > 1024n && x % 1024n === 0n ? `${x / 1024n}*1024` : x.toString();
  return styled(x.toString(), text, style);
}

/**
 * struct rlimit; with 4-byte words (getrlimit/setrlimit/ugetrlimit of 32-bit ABIs) the
 * unlimited value is `infinity32` (RLIM_INFINITY: ~0UL, 0x7fffffff on MIPS), shown as strace's
 * sprint_rlim32 does.
 */
export function rlimit(c: ArgCtx, v: View, w: 4 | 8 = 8, infinity32 = 0xffffffffn): string {
  if (w === 8) return `{rlim_cur=${rlim(v.u64(0), c.style.xlat)}, rlim_max=${rlim(v.u64(8), c.style.xlat)}}`;
  const r32 = (x: bigint): string => (x === infinity32 ? styled(x.toString(), 'RLIM_INFINITY', c.style.xlat) : rlim(x, c.style.xlat));
  return `{rlim_cur=${r32(BigInt(v.u32(0)))}, rlim_max=${r32(BigInt(v.u32(4)))}}`;
}

const RUSAGE_LONGS = ['ru_maxrss', 'ru_ixrss', 'ru_idrss', 'ru_isrss', 'ru_minflt', 'ru_majflt', 'ru_nswap', 'ru_inblock', 'ru_oublock', 'ru_msgsnd', 'ru_msgrcv', 'ru_nsignals', 'ru_nvcsw', 'ru_nivcsw'];
export const RUSAGE_SIZE = 144;
/** struct rusage: two timevals and 14 longs, all of `w` bytes (72 bytes with 4). */
export function rusageSize(w: 4 | 8): number {
  return 18 * w;
}
export function rusage(c: ArgCtx, v: View, w: 4 | 8 = 8): string {
  const head = `ru_utime=${timeval(v, 0, w)}, ru_stime=${timeval(v, 2 * w, w)}`;
  if (!c.style.verbose) return `{${head}, ...}`;
  return `{${head}, ${RUSAGE_LONGS.map((n, i) => `${n}=${sword(v, 4 * w + w * i, w)}`).join(', ')}}`;
}

/** clock_t with strace's seconds comment (USER_HZ 100). */
function clockT(c: ArgCtx, x: bigint): string {
  if (x === 0n || c.style.xlat === 'raw') return x.toString();
  return `${x} /* ${x / 100n}.${String(x % 100n).padStart(2, '0')} s */`;
}

export function tms(c: ArgCtx, v: View): string {
  return `{tms_utime=${clockT(c, v.i64(0))}, tms_stime=${clockT(c, v.i64(8))}, tms_cutime=${clockT(c, v.i64(16))}, tms_cstime=${clockT(c, v.i64(24))}}`;
}

const UTS_FIELDS = ['sysname', 'nodename', 'release', 'version', 'machine', 'domainname'];
export const UTSNAME_SIZE = 65 * 6;
export function utsname(c: ArgCtx, v: View): string {
  const field = (i: number): string => {
    const b = v.buf.subarray(65 * i, 65 * i + 65);
    const nul = b.indexOf(0);
    return `${UTS_FIELDS[i]}=${quoteBytes(b.subarray(0, nul < 0 ? 65 : nul))}`; // the field's size, not -s (print_quoted_cstring)
  };
  if (!c.style.verbose) return `{${field(0)}, ${field(1)}, ...}`;
  return `{${UTS_FIELDS.map((_, i) => field(i)).join(', ')}}`;
}

/**
 * MIPS numbers signals its own way (arch/mips/include/uapi/asm/signal.h, Debian linux-source
 * 6.1.192): SIGEMT 7, SIGCHLD 18, SIGSTOP 23...; realtime ones from 32 up to _NSIG 128.
 */
const MIPS_SIGNALS = new Map<number, string>([
  [1, 'SIGHUP'], [2, 'SIGINT'], [3, 'SIGQUIT'], [4, 'SIGILL'], [5, 'SIGTRAP'], [6, 'SIGABRT'],
  [7, 'SIGEMT'], [8, 'SIGFPE'], [9, 'SIGKILL'], [10, 'SIGBUS'], [11, 'SIGSEGV'], [12, 'SIGSYS'],
  [13, 'SIGPIPE'], [14, 'SIGALRM'], [15, 'SIGTERM'], [16, 'SIGUSR1'], [17, 'SIGUSR2'],
  [18, 'SIGCHLD'], [19, 'SIGPWR'], [20, 'SIGWINCH'], [21, 'SIGURG'], [22, 'SIGIO'],
  [23, 'SIGSTOP'], [24, 'SIGTSTP'], [25, 'SIGCONT'], [26, 'SIGTTIN'], [27, 'SIGTTOU'],
  [28, 'SIGVTALRM'], [29, 'SIGPROF'], [30, 'SIGXCPU'], [31, 'SIGXFSZ'],
]);

/** The signal numbering of a call's arch (`c.info`), as signalName and sigset take it. */
export function signalArch(c: ArgCtx): Arch {
  return archOf(c.info);
}

/** A signal name: `SIGUSR1`, `SIGRT_1` for realtime ones, the number otherwise. */
export function signalName(n: number, arch?: Arch): string {
  if (n >= 32 && n <= (arch === 'mips' ? 127 : 64)) return n === 32 ? 'SIGRTMIN' : `SIGRT_${n - 32}`;
  return (arch === 'mips' ? MIPS_SIGNALS : SIGNALS).get(n) ?? String(n);
}

/**
 * A signal set as strace prints it (strace src/signal.c sprintsigmask_n): `[CHLD USR1]`,
 * the complement `~[...]` when more than half the signals are set, realtime ones as `RT_n`.
 */
export function sigset(mask: bigint, nsig = 64, style: XlatStyle = 'abbrev', arch?: Arch): string {
  const names = arch === 'mips' ? MIPS_SIGNALS : SIGNALS;
  const abbrev = (n: number): string => (n < 32 ? (names.get(n)?.slice(3) ?? String(n)) : n === 32 ? 'RTMIN' : `RT_${n - 32}`);
  const name = (n: number): string => styled(String(n), abbrev(n), style);
  const set: number[] = [];
  for (let n = 1; n <= nsig; n++) if ((mask >> BigInt(n - 1)) & 1n) set.push(n);
  if (set.length * 2 > nsig) {
    const clear: number[] = [];
    for (let n = 1; n <= nsig; n++) if (!set.includes(n)) clear.push(n);
    return `~[${clear.map(name).join(' ')}]`;
  }
  return `[${set.map(name).join(' ')}]`;
}

/** Bytes of struct sigaction as rt_sigaction takes it: 4-byte words on ARM and i386 (20), else 32. */
export function sigactionSize(word: 4 | 8): number {
  return word === 4 ? 20 : 32;
}

/**
 * struct sigaction as the kernel takes it: handler, flags, restorer, then the 64-bit mask, in
 * words of the ABI (x86_64: include/linux/signal_types.h struct sigaction; ARM and i386, 4-byte
 * words: the same fields, the mask at 12; arch/arm/include/asm/signal.h, arch/x86/include/asm/signal.h).
 */
export function sigaction(c: ArgCtx, v: View, word: 4 | 8 = 8): string {
  if (signalArch(c) === 'mips') {
    // arch/mips/include/uapi/asm/signal.h: { unsigned int sa_flags; handler; sigset_t sa_mask
    // (128 bits: the first 64 signals are printed) }, no restorer.
    const handler = BigInt(v.u32(4));
    const h = handler <= 1n ? xval(c, handler, SIG_HANDLERS, 'SIG_') : hex(handler);
    return `{sa_handler=${h}, sa_mask=${sigset(v.u64(8), 64, c.style.xlat, 'mips')}, sa_flags=${flags(c, BigInt(v.u32(0)), SA_FLAGS_MIPS)}}`;
  }
  const w = (off: number): bigint => (word === 4 ? BigInt(v.u32(off)) : v.u64(off));
  const handler = w(0);
  const fl = w(word);
  const h = handler <= 1n ? xval(c, handler, SIG_HANDLERS, 'SIG_') : hex(handler);
  const restorer = fl & SA_RESTORER ? `, sa_restorer=${hex(w(2 * word))}` : '';
  return `{sa_handler=${h}, sa_mask=${sigset(v.u64(3 * word), 64, c.style.xlat, signalArch(c))}, sa_flags=${flags(c, fl, SA_FLAGS)}${restorer}}`;
}

export function stackT(c: ArgCtx, v: View): string {
  return `{ss_sp=${v.u64(0) === 0n ? 'NULL' : hex(v.u64(0))}, ss_flags=${flags(c, BigInt(v.i32(8) >>> 0), SIGALTSTACK_FLAGS)}, ss_size=${v.u64(16)}}`;
}

/** siginfo_t (128 bytes): the fields strace shows for the common codes. */
export function siginfo(c: ArgCtx, v: View): string {
  const signo = v.i32(0);
  if (signo === 0) return '{}';
  const code = v.i32(8);
  const codeText = code > 0 && signo === 17 && CLD_CODES.has(code) ? xval(c, BigInt(code), CLD_CODES, 'CLD_') : xval(c, BigInt(code), SI_CODES, 'SI_');
  const parts = [`si_signo=${styled(String(signo), signalName(signo, signalArch(c)), c.style.xlat)}`, `si_code=${codeText}`];
  if (signo === 17 && code > 0) {
    parts.push(`si_pid=${v.i32(16)}`, `si_uid=${v.u32(20)}`, `si_status=${v.i32(24)}`, `si_utime=${v.i64(32)}`, `si_stime=${v.i64(40)}`);
  } else if (code <= 0 || code === 0x80) {
    parts.push(`si_pid=${v.i32(16)}`, `si_uid=${v.u32(20)}`);
    if (code === -1 || code === -2) parts.push(`si_int=${v.i32(24)}`, `si_ptr=${hex(v.u64(24))}`);
  }
  return `{${parts.join(', ')}}`;
}

/** struct sockaddr of `len` bytes (strace src/sockaddr.c). */
export function sockaddr(c: ArgCtx, v: View, len: number): string {
  if (len < 2) return `{sa_family=${len === 0 ? '' : '???'}}`;
  const fam = v.u16(0);
  const family = `sa_family=${xval(c, BigInt(fam), ADDRESS_FAMILIES, 'AF_')}`;
  // Under -X raw and verbose strace shows the network-order fields as bytes: `sin_port="\x1e\x61" /* htons(7777) *\/`.
  const bytes = (from: number, to: number): string => '"' + [...v.buf.subarray(from, to)].map((b) => '\\x' + b.toString(16).padStart(2, '0')).join('') + '"';
  const field = (name: string, from: number, to: number, text: string, abbrev = `${name}=${text}`): string =>
    c.style.xlat === 'abbrev' ? abbrev : `${name}=${bytes(from, to)}${c.style.xlat === 'verbose' ? ` /* ${text} */` : ''}`;
  if (fam === 2 && len >= 8) {
    const port = v.buf.readUInt16BE(2);
    const a = [...v.buf.subarray(4, 8)].join('.');
    return `{${family}, ${field('sin_port', 2, 4, `htons(${port})`)}, ${field('sin_addr', 4, 8, `inet_addr("${a}")`)}}`;
  }
  if (fam === 10 && len >= 24) {
    const port = v.buf.readUInt16BE(2);
    const flow = v.buf.readUInt32BE(4);
    const scope = len >= 28 ? `, sin6_scope_id=${v.u32(24)}` : '';
    const addr6 = ipv6(v.buf.subarray(8, 24));
    return `{${family}, ${field('sin6_port', 2, 4, `htons(${port})`)}, ${field('sin6_flowinfo', 4, 8, `htonl(${flow})`)}, ${field('sin6_addr', 8, 24, `inet_pton(AF_INET6, "${addr6}")`, `inet_pton(AF_INET6, "${addr6}", &sin6_addr)`)}${scope}}`;
  }
  if (fam === 1) {
    const path = v.buf.subarray(2, len);
    if (path.length === 0) return `{${family}}`;
    if (path[0] === 0) return `{${family}, sun_path=@${quoteBytes(trimNul(path.subarray(1)))}}`;
    return `{${family}, sun_path=${quoteBytes(trimNul(path))}}`;
  }
  if (fam === 16 && len >= 12) return `{${family}, nl_pid=${v.u32(4)}, nl_groups=${v.u32(8).toString(16).padStart(8, '0')}}`;
  return `{${family}, sa_data=${quoteBytes(v.buf.subarray(2, len))}}`;
}

function trimNul(b: Buffer): Buffer {
  const n = b.indexOf(0);
  return n < 0 ? b : b.subarray(0, n);
}

/** RFC 5952 text of an IPv6 address (inet_ntop). */
export function ipv6(b: Buffer): string {
  const g: number[] = [];
  for (let i = 0; i < 16; i += 2) g.push(b.readUInt16BE(i));
  if (g.slice(0, 5).every((x) => x === 0) && g[5] === 0xffff) return `::ffff:${[...b.subarray(12)].join('.')}`;
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (g[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hx = (a: number[]): string => a.map((x) => x.toString(16)).join(':');
  if (best < 0) return hx(g);
  return `${hx(g.slice(0, best))}::${hx(g.slice(best + bestLen))}`;
}

/** struct epoll_event: packed (12 bytes) on x86, 16 bytes with the data at 8 elsewhere. */
export function epollEvent(c: ArgCtx, v: View, off = 0, packed = true): string {
  const data = v.u64(off + (packed ? 4 : 8));
  return `{events=${flags(c, BigInt(v.u32(off)), EPOLL_EVENTS)}, data={u32=${data & 0xffffffffn}, u64=${data}}}`;
}

export function winsize(v: View): string {
  return `{ws_row=${v.u16(0)}, ws_col=${v.u16(2)}, ws_xpixel=${v.u16(4)}, ws_ypixel=${v.u16(6)}}`;
}

/** getdents64's buffer: entries with -v, a count otherwise. */
export function dirents(c: ArgCtx, addr: bigint, v: View): string {
  const items: string[] = [];
  for (let off = 0; off + 19 <= v.length; ) {
    const reclen = v.u16(off + 16);
    if (reclen === 0) break;
    const name = trimNul(v.buf.subarray(off + 19, off + reclen));
    items.push(`{d_ino=${v.u64(off)}, d_off=${v.i64(off + 8)}, d_reclen=${reclen}, d_type=${xval(c, BigInt(v.u8(off + 18)), DIRENT_TYPES, 'DT_')}, d_name=${quoteBytes(name)}}`);
    off += reclen;
  }
  if (!c.style.verbose) return `${hex(addr)} /* ${items.length} entries */`;
  return `[${items.join(', ')}]`;
}

/** getdents's buffer (struct linux_dirent: the type is the record's last byte). */
export function direntsOld(c: ArgCtx, addr: bigint, v: View): string {
  const items: string[] = [];
  for (let off = 0; off + 18 <= v.length; ) {
    const reclen = v.u16(off + 16);
    if (reclen === 0 || off + reclen > v.length) break;
    const name = trimNul(v.buf.subarray(off + 18, off + reclen - 1));
    items.push(`{d_ino=${v.u64(off)}, d_off=${v.i64(off + 8)}, d_reclen=${reclen}, d_name=${quoteBytes(name)}, d_type=${xval(c, BigInt(v.u8(off + reclen - 1)), DIRENT_TYPES, 'DT_')}}`);
    off += reclen;
  }
  if (!c.style.verbose) return `${hex(addr)} /* ${items.length} entries */`;
  return `[${items.join(', ')}]`;
}

/** struct clone_args (clone3): the fields strace prints for the flags given. */
export function cloneArgs(c: ArgCtx, v: View): string {
  const f = v.u64(0);
  const parts = [`flags=${flags(c, f, CLONE_FLAGS)}`];
  const ptr = (x: bigint): string => (x === 0n ? 'NULL' : hex(x));
  if (f & 0x1000n) parts.push(`pidfd=${ptr(v.u64(8))}`);
  if (f & 0x1200000n) parts.push(`child_tid=${ptr(v.u64(16))}`);
  if (f & 0x100000n) parts.push(`parent_tid=${ptr(v.u64(24))}`);
  parts.push(`exit_signal=${v.u64(32) === 0n ? '0' : signalName(Number(v.u64(32)), signalArch(c))}`, `stack=${ptr(v.u64(40))}`, `stack_size=${hex(v.u64(48))}`);
  if (f & 0x80000n) parts.push(`tls=${ptr(v.u64(56))}`);
  return `{${parts.join(', ')}}`;
}

/** The values clone3 wrote back: `{parent_tid=[N]}`. */
export async function cloneArgsOut(c: ArgCtx, v: View): Promise<string> {
  const f = v.u64(0);
  const parts: string[] = [];
  for (const [bit, off, name] of [[0x1000n, 8, 'pidfd'], [0x100000n, 24, 'parent_tid']] as const) {
    if (!(f & bit)) continue;
    const p = await readView(c, v.u64(off), 4);
    if (p) parts.push(`${name}=[${p.i32(0)}]`);
  }
  return parts.length ? `{${parts.join(', ')}}` : '';
}

const CC_NAMES = ['VINTR', 'VQUIT', 'VERASE', 'VKILL', 'VEOF', 'VTIME', 'VMIN', 'VSWTC', 'VSTART', 'VSTOP', 'VSUSP', 'VEOL', 'VREPRINT', 'VDISCARD', 'VWERASE', 'VLNEXT', 'VEOL2'];

/**
 * struct termios (TCGETS, 36 bytes): each field as strace prints it, the delay fields,
 * baud rate and character size as constants of their own (`0|0|0x5` under -X raw).
 */
export function termios(c: ArgCtx, v: View): string {
  const num = (x: number): string => (x === 0 ? '0' : hex(BigInt(x)));
  const part = (x: number, name: string): string => styled(num(x), name, c.style.xlat);
  const iflag = v.u32(0);
  const oflag = v.u32(4);
  const cflag = v.u32(8);
  const lflag = v.u32(12);
  const odelayMask = T.TERM_ODELAYS.reduce((m, [mask]) => m | mask, 0);
  const o = T.TERM_ODELAYS.map(([mask, names]) => part(oflag & mask, names[(oflag & mask) / (mask & -mask)] ?? num(oflag & mask)));
  if (oflag & ~odelayMask || o.length === 0) o.push(flags(c, BigInt(oflag & ~odelayMask), T.TERM_OFLAGS));
  const cf = [part(cflag & T.CBAUD, T.BAUDS.get(cflag & T.CBAUD) ?? num(cflag & T.CBAUD))];
  const ibaud = (cflag >>> 16) & T.CBAUD;
  if (ibaud) cf.push(`${part(ibaud, T.BAUDS.get(ibaud) ?? num(ibaud))}<<IBSHIFT`);
  cf.push(part(cflag & 0o60, T.CSIZES[(cflag >> 4) & 3]!));
  const rest = BigInt((cflag & ~(T.CBAUD | 0o60 | (T.CBAUD << 16))) >>> 0);
  if (rest) cf.push(flags(c, rest, T.TERM_CFLAGS));
  const head = `c_iflag=${flags(c, BigInt(iflag), T.TERM_IFLAGS)}, c_oflag=${o.join('|')}, c_cflag=${cf.join('|')}, c_lflag=${flags(c, BigInt(lflag), T.TERM_LFLAGS)}`;
  if (!c.style.verbose) return `{${head}, ...}`;
  const cc = Array.from({ length: 19 }, (_, i) => `[${CC_NAMES[i] ?? i}]=${num(v.u8(17 + i))}`);
  return `{${head}, c_line=${v.u8(16) === 0 ? styled('0', 'N_TTY', c.style.xlat) : v.u8(16)}, c_cc=[${cc.join(', ')}]}`;
}
