/**
 * The linux_mips profile and what it relies on: the built-in mips32 register layout (QEMU's MIPS
 * stub sends no target.xml), the KASLR slide from the kernel-mode pc and handle_sys's code
 * (src/symbols/kaslr-mips.ts) against a fake stub, and the MIPS numbers of errno values, signals
 * and open flags in the decoder.
 */
import t from 'tap';
import { argsOf, callName, decodeEnter, decodeReturn, formatReturn, joinArgs } from '../../src/decode/decoder.js';
import { staticMemory } from '../../src/decode/memory.js';
import { loadPrototypes } from '../../src/decode/prototypes.js';
import type { GdbClient } from '../../src/gdbstub/client.js';
import { assignGOffsets, BUILTIN_LAYOUTS, gPacketSize } from '../../src/gdbstub/target-description.js';
import { loadProfile } from '../../src/profile/profile.js';
import { slideFromMipsCode } from '../../src/symbols/kaslr-mips.js';
import { SymbolTable } from '../../src/symbols/system-map.js';

t.test('linux_mips loads', async (t) => {
  const p = loadProfile('linux_mips');
  t.equal(p.arch, 'mips');
  t.equal(p.wordSize, 4);
  t.equal(p.registersLayout, 'mips32');
  t.same(p.entries.map((e) => [e.symbol, e.regsArg, e.after?.insn, e.stackArgs]), [['handle_sys', 'sp', 0xafa900b4, { from: 4, offset: 16, unknown: 7 }]]);
  t.same(p.asidFrom, { symbol: 'kernelsp', stride: 4, physicalMask: 0x1fffffffn });
  t.equal(p.registers.errflag, 'a3');
  t.same(p.kaslr, { method: 'mips', align: 0x10000n, gates: { 1: 'sys_exit', 2: '__sys_fork', 3: 'sys_read' }, symbol: 'handle_sys' });
  const tab = loadPrototypes(p.prototypes, p.wordSize, p.names);
  const names: Array<[number, string]> = [
    [4002, 'fork'], [4042, 'pipe'], [4090, 'mmap'], [4119, 'sigreturn'], [4120, 'clone'], [4140, '_llseek'],
    [4193, 'rt_sigreturn'], [4210, 'mmap2'], [4238, 'futex'], [4246, 'exit_group'], [4288, 'openat'], [4422, 'futex_time64'],
  ];
  for (const [no, name] of names) t.equal(tab.getSyscallInfo(no)?.name, name, `${no} is ${name}`);
  const fns = new Set(tab.all().map((i) => i.fn));
  t.same(Object.keys(p.names).filter((f) => !fns.has(f)), [], 'every names: key is a function of linux_mips.txt');
});

t.test('mips32 layout: 73 registers of 4 bytes, as QEMU 7.2 sends them in g', async (t) => {
  const m = BUILTIN_LAYOUTS.mips32!();
  t.equal(m.ordered.length, 73);
  t.equal(gPacketSize(m), 292);
  assignGOffsets(m, 292);
  const at = (n: string) => [m.byName.get(n)?.regnum, m.byName.get(n)?.gOffset];
  t.same(at('v0'), [2, 8]);
  t.same(at('a3'), [7, 28]);
  t.same(at('sp'), [29, 116]);
  t.same(at('sr'), [32, 128]);
  t.same(at('pc'), [37, 148]);
  t.same(at('fir'), [71, 284]);
});

/** A fake stub: registers from a `g` image, memory from regions. */
function fakeClient(sr: number, pc: number, regions: Array<[bigint, Buffer]>): GdbClient {
  const registers = BUILTIN_LAYOUTS.mips32!();
  assignGOffsets(registers, 292);
  const g = Buffer.alloc(292);
  g.writeUInt32LE(sr, 128);
  g.writeUInt32LE(pc, 148);
  const fake = {
    registers,
    readAllRegisters: async () => g,
    readMemoryPartial: async (addr: bigint, length: number) => {
      for (const [base, data] of regions) {
        if (addr >= base && addr + BigInt(length) <= base + BigInt(data.length)) return { data: data.subarray(Number(addr - base), Number(addr - base) + length) };
      }
      return { data: Buffer.alloc(0) };
    },
  };
  return fake as unknown as GdbClient;
}

t.test('KASLR slide from the pc and handle_sys', async (t) => {
  // A dump table (another boot's addresses) and a kernel running 0x3a0000 above it.
  const table = new SymbolTable('dump', [
    { name: '_stext', addr: 0x81000000n, type: 'T' },
    { name: 'sys_exit', addr: 0x81010000n, type: 'T' },
    { name: '__sys_fork', addr: 0x81010100n, type: 'T' },
    { name: 'sys_read', addr: 0x81020000n, type: 'T' },
    { name: 'handle_sys', addr: 0x81030000n, type: 'T' },
    { name: 'cpu_idle', addr: 0x81400000n, type: 'T' },
  ]);
  const code = (slide: number): Buffer => {
    const w: number[] = new Array(128).fill(0);
    w[5] = 0x3c1b0000 | 0x8270; // lui k1, 0x8270
    w[9] = 0x8f7d0000 | 0xa364; // lw sp, -0x5c9c(k1): kernelsp = 0x8270_0000 - 0x5c9c
    w[30] = 0x3c090000 | 0x1000; // lui t1, 0x1000 (STI's status bits)
    w[31] = 0x35290000 | 0x1f; // ori t1, t1, 0x1f
    w[40] = 0x8fa900b4; // lw t1, 180(sp)
    w[41] = 0x25290004; // addiu t1, t1, 4 (not a table)
    w[90] = 0x3c090000 | 0x8280; // lui t1, 0x8280
    w[91] = 0x25290000 | 0x1230; // addiu t1, t1, 0x1230: sys_call_table 0x82801230 (+ slide below)
    const b = Buffer.alloc(512);
    w.forEach((x, i) => b.writeUInt32LE(x >>> 0, i * 4));
    if (slide !== 0) b.writeUInt32LE((0x3c090000 | (0x8280 + (slide >>> 16))) >>> 0, 90 * 4);
    return b;
  };
  const slots = (slide: bigint): Buffer => {
    const b = Buffer.alloc(16);
    b.writeUInt32LE(0x81010000 + Number(slide), 4);
    b.writeUInt32LE(0x81010100 + Number(slide), 8);
    b.writeUInt32LE(0x81020000 + Number(slide), 12);
    return b;
  };
  const slide = 0x3a0000n;
  const regions: Array<[bigint, Buffer]> = [
    [0x81030000n + slide, code(0x3a0000)],
    [0x82801230n + slide, slots(slide)],
    // The image as loaded before relocation (0x20000 below the dump), consistent with itself.
    [0x81010000n, code(-0x20000 & 0xffffffff)],
  ];
  const opts = { symbol: 'handle_sys', slots: { 1: 'sys_exit', 2: '__sys_fork', 3: 'sys_read' }, align: 0x10000n };
  t.match(await slideFromMipsCode(fakeClient(0x00400004, 0x81400000 + 0x3a0000, regions), table, opts), { reason: /BEV set/ }, 'before trap_init: not yet');
  t.match(await slideFromMipsCode(fakeClient(0x1000ff13, 0x00400730, regions), table, opts), { reason: /user address/ }, 'a user-mode stop: not yet');
  t.match(await slideFromMipsCode(fakeClient(0x1000a403, 0x80342200, regions), table, opts), { reason: /no slide/ }, 'a stop in the vector code: not yet');
  const r = await slideFromMipsCode(fakeClient(0x1000a401, 0x81400000 + 0x3a0020, regions), table, opts);
  t.same(r, { slide, found: { kernelsp: 0x8270_0000n - 0x5c9cn } }, 'a kernel-mode pc: the slide, and kernelsp from get_saved_sp');
  const missing = new SymbolTable('dump', [{ name: 'handle_sys', addr: 0x81030000n, type: 'T' }]);
  t.match(await slideFromMipsCode(fakeClient(0x1000a401, 0x81030000, regions), missing, opts), { reason: /sys_exit missing/ });
});

t.test('MIPS errno values, signals, open and mmap flags, struct sigaction', async (t) => {
  const p = loadProfile('linux_mips');
  const tab = loadPrototypes(p.prototypes, p.wordSize, p.names);
  const line = async (name: string, regs: bigint[], ret: bigint, mem = staticMemory([])): Promise<string> => {
    const info = tab.byShortName(name)!;
    const args = argsOf(info, regs, { pairs: 'aligned' });
    await decodeEnter(info, args, mem, { strsize: 32 });
    await decodeReturn(info, args, ret, mem, { strsize: 32 });
    return `${callName(info, info.no)}(${joinArgs(args)}) = ${formatReturn(info.name, ret, 4095, 4, args, 'mips')}`;
  };
  const path = staticMemory([[0x1000n, Buffer.from('/tmp/x\0')]]);
  // asm/fcntl.h: O_WRONLY 1, O_CREAT 0x100, O_TRUNC 0x200; AT_FDCWD -100.
  t.equal(await line('openat', [0xffffff9cn, 0x1000n, 0x301n, 0o644n], 3n, path), 'openat(AT_FDCWD, "/tmp/x", O_WRONLY|O_CREAT|O_TRUNC, 0644) = 3');
  t.equal(await line('openat', [0xffffff9cn, 0x1000n, 0x10000n, 0n], 3n, path), 'openat(AT_FDCWD, "/tmp/x", O_RDONLY|O_DIRECTORY) = 3');
  // asm/errno.h: ENOSYS 89, EDQUOT 1133 (generic: 38, 122).
  t.equal(await line('getpid', [], -89n), 'getpid() = -1 ENOSYS (Function not implemented)');
  t.equal(await line('getpid', [], -1133n), 'getpid() = -1 EDQUOT (Disk quota exceeded)');
  t.equal(await line('getpid', [], -2n), 'getpid() = -1 ENOENT (No such file or directory)');
  // asm/signal.h: SIGCHLD 18, SIGUSR1 16 (generic: SIGCONT, SIGSTKFLT).
  t.equal(await line('clone', [0x4112n, 0n, 0n, 0n, 0n], 81n), 'clone(child_stack=NULL, flags=CLONE_VM|CLONE_VFORK|SIGCHLD) = 81');
  t.equal(await line('kill', [81n, 16n], 0n), 'kill(81, SIGUSR1) = 0');
  // asm/signal.h: struct sigaction { sa_flags; sa_handler; sa_mask }, SA_RESTART 0x10000000,
  // SA_SIGINFO 8; SIG_SETMASK 3. asm/mman.h: MAP_ANONYMOUS 0x800, MAP_STACK 0x40000.
  const sa = Buffer.alloc(24);
  sa.writeUInt32LE(0x10000008, 0);
  sa.writeUInt32LE(0x4005d0, 4);
  sa.writeBigUInt64LE(1n << 17n, 8);
  t.equal(
    await line('rt_sigaction', [18n, 0x3000n, 0n, 16n], 0n, staticMemory([[0x3000n, sa]])),
    'rt_sigaction(SIGCHLD, {sa_handler=0x4005d0, sa_mask=[CHLD], sa_flags=SA_RESTART|SA_SIGINFO}, NULL, 16) = 0',
  );
  t.equal(await line('rt_sigprocmask', [3n, 0n, 0n, 16n], 0n), 'rt_sigprocmask(SIG_SETMASK, NULL, NULL, 16) = 0');
  t.equal(await line('mmap2', [0n, 8392704n, 0n, 0x40802n, 0xffffffffn, 0n], 0x776aa000n), 'mmap2(NULL, 8392704, PROT_NONE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_STACK, -1, 0) = 0x776aa000');
});
