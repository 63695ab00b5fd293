/**
 * The linux_arm profile and the profile features it uses: a list of sigreturn calls (ARM has
 * sigreturn and rt_sigreturn), strace's arm names over the kernel's function names.
 */
import t from 'tap';
import { argsOf, callName, decodeEnter, decodeReturn, formatReturn, joinArgs } from '../../src/decode/decoder.js';
import { staticMemory } from '../../src/decode/memory.js';
import { loadPrototypes } from '../../src/decode/prototypes.js';
import { loadProfile, parseProfile } from '../../src/profile/profile.js';
import { UserError } from '../../src/util/errors.js';

function errorOf(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    if (e instanceof UserError) return e.message;
    throw e;
  }
  return '(no error)';
}

t.test('linux_arm loads with strace arm names', async (t) => {
  const p = loadProfile('linux_arm');
  t.equal(p.arch, 'arm', 'what detection maps an `arm` stub to');
  t.equal(p.wordSize, 4);
  t.equal(p.pairs, 'aligned', 'EABI: 64-bit arguments in an even register pair');
  t.same(p.entries.map((e) => [e.symbol, e.regsArg, e.nr, e.after?.insn]), [['vector_swi', 'sp', 'r7', 0xe58d0044]]);
  t.same(p.ptRegs?.thumb, { offset: 64, mask: 0x20n });
  t.equal(p.thumbBreakpointKind, 2);
  const tab = loadPrototypes(p.prototypes, p.wordSize, p.names);
  const names: Array<[number, string]> = [
    [16, 'lchown'], [24, 'getuid'], [52, 'umount2'], [106, 'stat'], [119, 'sigreturn'], [140, '_llseek'], [142, '_newselect'],
    [173, 'rt_sigreturn'], [191, 'ugetrlimit'], [192, 'mmap2'], [199, 'getuid32'], [240, 'futex'], [248, 'exit_group'],
    [266, 'statfs64'], [341, 'sync_file_range2'], [403, 'clock_gettime64'], [422, 'futex_time64'],
    [0xf0002, 'cacheflush'], [0xf0005, 'set_tls'],
  ];
  for (const [no, name] of names) t.equal(tab.getSyscallInfo(no)?.name, name, `${no} is ${name}`);
  t.equal(tab.getSyscallInfo(248)?.noreturn, true, 'exit_group does not return');
  // Every function the table renames is a function of the table (no stale key).
  const fns = new Set(tab.all().map((i) => i.fn));
  t.same(Object.keys(p.names).filter((f) => !fns.has(f)), [], 'every names: key is a function of linux_arm.txt');
});

t.test('sigreturn: one mapping or a list', async (t) => {
  t.same(loadProfile('linux_arm').sigreturn, [
    { name: 'sigreturn', retOffset: 32, maskOffset: 104 },
    { name: 'rt_sigreturn', retOffset: 160, maskOffset: 232 },
  ]);
  t.same(loadProfile('linux_x64').sigreturn?.map((s) => s.name), ['rt_sigreturn'], 'a single mapping is a list of one');
  const text = (sr: string): string =>
    [
      'name: x', 'os: linux', 'arch: arm', 'word_size: 4', 'prototypes: linux_arm.txt', 'breakpoint_kind: 4',
      'entries: [{ symbol: vector_swi, abi: arm }]',
      'registers: { nr: r7, args: [r0], ret: r0, retaddr: lr, sp: sp, pc: pc, asid: TTBR0_EL1 }',
      'asid_mask: 0', 'errno_max: 4095', sr,
    ].join('\n');
  t.match(errorOf(() => parseProfile(text('sigreturn: []'), 'p.yaml')), /^p\.yaml:11:\d+: 'sigreturn' must be a mapping or a non-empty list of them/);
  t.match(errorOf(() => parseProfile(text('sigreturn: [{ name: sigreturn, ret_offset: 32 }]'), 'p.yaml')), /^p\.yaml:11:\d+: missing key 'mask_offset'/);
});

t.test('ARM-private calls print their arguments as strace printargs does', async (t) => {
  const p = loadProfile('linux_arm');
  const tab = loadPrototypes(p.prototypes, p.wordSize, p.names);
  const line = async (name: string, regs: bigint[]): Promise<string> => {
    const info = tab.byShortName(name)!;
    const args = argsOf(info, regs);
    const mem = staticMemory([]);
    await decodeEnter(info, args, mem, { strsize: 32 });
    await decodeReturn(info, args, 0n, mem, { strsize: 32 });
    return `${callName(info, info.no)}(${joinArgs(args)}) = ${formatReturn(info.name, 0n, 4095, 4, args)}`;
  };
  t.equal(await line('set_tls', [0xe38000n]), 'set_tls(0xe38000) = 0');
  t.equal(await line('cacheflush', [0x10000n, 0x10800n, 0n]), 'cacheflush(0x10000, 0x10800, 0) = 0');
});

t.test('32-bit layouts and the calls only 32-bit ABIs have', async (t) => {
  const p = loadProfile('linux_arm');
  const tab = loadPrototypes(p.prototypes, p.wordSize, p.names);
  const line = async (name: string, regs: bigint[], ret: bigint, mem = staticMemory([])): Promise<string> => {
    const info = tab.byShortName(name)!;
    const args = argsOf(info, regs, { pairs: 'aligned' });
    await decodeEnter(info, args, mem, { strsize: 32 });
    await decodeReturn(info, args, ret, mem, { strsize: 32 });
    return `${callName(info, info.no)}(${joinArgs(args)}) = ${formatReturn(info.name, ret, 4095, 4, args)}`;
  };
  // arch/arm/include/asm/signal.h struct sigaction: handler, flags, restorer, mask (4-byte words).
  const sa = Buffer.alloc(20);
  sa.writeUInt32LE(0x634b5, 0);
  sa.writeUInt32LE(0x04000001, 4); // SA_RESTORER|SA_NOCLDSTOP
  sa.writeUInt32LE(0x112e0, 8);
  sa.writeBigUInt64LE(1n << 16n, 12); // SIGCHLD (17)
  const mem = staticMemory([[0x2000n, sa]]);
  t.equal(
    await line('rt_sigaction', [17n, 0x2000n, 0n, 8n], 0n, mem),
    'rt_sigaction(SIGCHLD, {sa_handler=0x634b5, sa_mask=[CHLD], sa_flags=SA_RESTORER|SA_NOCLDSTOP, sa_restorer=0x112e0}, NULL, 8) = 0',
  );
  t.equal(await line('mmap2', [0n, 8392704n, 0n, 0x20022n, 0xffffffffn, 0n], 0xb67c2000n), 'mmap2(NULL, 8392704, PROT_NONE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_STACK, -1, 0) = 0xb67c2000');
  t.equal(await line('fcntl64', [3n, 1030n, 10n], 10n), 'fcntl64(3, F_DUPFD_CLOEXEC, 10) = 10');
});

t.test('time structs: old_timespec32 for *_time32 calls, __kernel_timespec for time64 ones, 4-byte longs', async (t) => {
  const p = loadProfile('linux_arm');
  const tab = loadPrototypes(p.prototypes, p.wordSize, p.names);
  const line = async (name: string, regs: bigint[], ret: bigint, mem: ReturnType<typeof staticMemory>): Promise<string> => {
    const info = tab.byShortName(name)!;
    const args = argsOf(info, regs, { pairs: 'aligned' });
    await decodeEnter(info, args, mem, { strsize: 32 });
    await decodeReturn(info, args, ret, mem, { strsize: 32 });
    return `${callName(info, info.no)}(${joinArgs(args)}) = ${formatReturn(info.name, ret, 4095, 4, args)}`;
  };
  const ts32 = Buffer.alloc(8);
  ts32.writeInt32LE(1, 0);
  ts32.writeInt32LE(500, 4);
  const ts64 = Buffer.alloc(16);
  ts64.writeBigInt64LE(2n, 0);
  ts64.writeBigInt64LE(7n, 8);
  const mem = staticMemory([[0x1000n, ts32], [0x2000n, ts64]]);
  // 265 clock_nanosleep = sys_clock_nanosleep_time32; 407 clock_nanosleep_time64 = sys_clock_nanosleep.
  t.equal(await line('clock_nanosleep', [0n, 0n, 0x1000n, 0n], 0n, mem), 'clock_nanosleep(CLOCK_REALTIME, 0, {tv_sec=1, tv_nsec=500}, NULL) = 0');
  t.equal(await line('clock_nanosleep_time64', [1n, 0n, 0x2000n, 0n], 0n, mem), 'clock_nanosleep_time64(CLOCK_MONOTONIC, 0, {tv_sec=2, tv_nsec=7}, NULL) = 0');
  t.equal(await line('futex_time64', [0x3000n, 0n, 5n, 0x2000n, 0n, 0n], 0n, mem), 'futex_time64(0x3000, FUTEX_WAIT, 5, {tv_sec=2, tv_nsec=7}) = 0');
  // struct rlimit of unsigned longs (ugetrlimit = sys_getrlimit), RLIM_INFINITY = ~0UL.
  const rl = Buffer.alloc(8);
  rl.writeUInt32LE(8192 * 1024, 0);
  rl.writeUInt32LE(0xffffffff, 4);
  t.equal(await line('ugetrlimit', [3n, 0x4000n], 0n, staticMemory([[0x4000n, rl]])), 'ugetrlimit(RLIMIT_STACK, {rlim_cur=8192*1024, rlim_max=RLIM_INFINITY}) = 0');
  // gettimeofday: struct __kernel_old_timeval of longs.
  t.equal(await line('gettimeofday', [0x1000n, 0n], 0n, mem), 'gettimeofday({tv_sec=1, tv_usec=500}, NULL) = 0');
});
