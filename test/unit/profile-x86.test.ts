/**
 * The 32-bit x86 profiles: linux_x86 (the i386 kernel: int $0x80 and the vDSO's sysenter
 * path) and linux_x64's i386 ABI (32-bit programs on the x86_64 kernel), and the profile
 * features they use: an entry's own pt_regs layout, an ABI's exit-mode code segment and
 * handlers, strace's i386 names over the kernel's function names.
 */
import t from 'tap';
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

// syscall_32.tbl names, which strace's i386 table uses too.
const I386_NAMES: Array<[number, string]> = [
  [1, 'exit'], [11, 'execve'], [13, 'time'], [18, 'oldstat'], [22, 'umount'], [52, 'umount2'], [59, 'oldolduname'],
  [76, 'getrlimit'], [82, 'select'], [90, 'mmap'], [106, 'stat'], [109, 'olduname'], [119, 'sigreturn'], [122, 'uname'],
  [140, '_llseek'], [142, '_newselect'], [162, 'nanosleep'], [173, 'rt_sigreturn'], [180, 'pread64'], [191, 'ugetrlimit'],
  [192, 'mmap2'], [194, 'ftruncate64'], [199, 'getuid32'], [240, 'futex'], [252, 'exit_group'], [403, 'clock_gettime64'],
];

t.test('linux_x86: two entry paths, pt_regs of the i386 kernel', async (t) => {
  const p = loadProfile('linux_x86');
  t.equal(p.arch, 'i386', 'what detection maps an i386 stub to');
  t.equal(p.wordSize, 4);
  t.equal(p.pairs, 'consecutive', '64-bit arguments in two consecutive registers');
  t.same(
    p.entries.map((e) => [e.symbol, e.abi, e.regsArg, e.stackArgs, e.returnFromStack]),
    [
      ['do_int80_syscall_32', 'i386', 'eax', undefined, undefined],
      ['do_fast_syscall_32', 'i386', 'eax', { from: 5, offset: 0 }, { ip: 12, spAdd: 16 }],
    ],
    'regparm: pt_regs in eax; the vDSO path: 6th argument at the user esp, the caller past three pushes',
  );
  t.same(p.ptRegs, { size: 68, nr: 44, args: [0, 4, 8, 12, 16, 20], ret: 24, ip: 48, sp: 60, cs: 52 });
  t.equal(p.exitStop?.handler, '__ia32_sys_{name}');
  t.same(p.sigreturn, [
    { name: 'sigreturn', retOffset: 44, maskOffset: 80, maskHighOffset: 712 },
    { name: 'rt_sigreturn', retOffset: 204, maskOffset: 248 },
  ], 'the old sigreturn: mask in sc.oldmask and extramask past the FPU area');
  t.equal(p.kaslr?.method, 'idt');
  const tab = loadPrototypes(p.prototypes, p.wordSize, p.names);
  for (const [no, name] of I386_NAMES) t.equal(tab.getSyscallInfo(no)?.name, name, `${no} is ${name}`);
  const fns = new Set(tab.all().map((i) => i.fn));
  t.same(Object.keys(p.names).filter((f) => !fns.has(f)), [], 'every names: key is a function of linux_x86.txt');
});

t.test('linux_x64: the i386 ABI of 32-bit programs', async (t) => {
  const p = loadProfile('linux_x64');
  const abi = p.abis.i386;
  t.ok(abi, 'abis.i386');
  if (!abi) return;
  t.equal(abi.prototypes, 'linux_x86.txt');
  t.equal(abi.wordSize, 4);
  t.same(abi.ptRegs?.args, [40, 88, 96, 104, 112, 32], 'bx cx dx si di bp of the x86_64 pt_regs');
  t.equal(abi.ptRegs?.nr, 120, 'orig_ax');
  t.equal(abi.exitStop?.userCs, 0x23, '__USER32_CS');
  t.equal(abi.exitStop?.handlers.exit_group, '__ia32_sys_exit_group');
  t.equal(abi.exitStop?.handlers.execve, '__ia32_compat_sys_execve');
  t.equal(abi.exitStop?.handlers.sigreturn, '__ia32_compat_sys_sigreturn');
  t.same(abi.sigreturn, loadProfile('linux_x86').sigreturn, 'the same signal frames as linux_x86');
  t.same(abi.names, loadProfile('linux_x86').names, 'the same names as linux_x86');
  t.equal(p.exitStop?.userCs, 0x33, 'the 64-bit ABI keeps __USER_CS');
  const int80 = p.entries.find((e) => e.symbol === 'do_int80_emulation');
  t.equal(int80?.abi, 'i386');
  t.equal(int80?.ptRegs?.nr, 80, 'do_int80_emulation: the number still in ax');
  t.ok(p.entries.filter((e) => e.abi === 'i386').every((e) => e.optional), 'the 32-bit entries are optional (kernels without IA32 emulation)');
  t.notOk(p.entries.find((e) => e.abi === 'x64')?.optional, 'the 64-bit one is not');
  const fast = p.entries.find((e) => e.symbol === 'do_fast_syscall_32');
  t.same([fast?.abi, fast?.stackArgs, fast?.returnFromStack], ['i386', { from: 5, offset: 0 }, { ip: 12, spAdd: 16 }]);
  const tab = loadPrototypes(abi.prototypes, abi.wordSize, abi.names);
  for (const [no, name] of I386_NAMES) t.equal(tab.getSyscallInfo(no)?.name, name, `i386 ${no} is ${name}`);
  // Page-table isolation: the user CR3 is the kernel's with bit 12 (and PCID bit 11) set.
  const kernel = 0x2a2a000n | 3n;
  t.equal((kernel | 0x1000n | 0x800n) & p.asidMask, kernel & p.asidMask, 'user and kernel CR3 of one mm give one asid');
  t.not((kernel + 0x2000n) & p.asidMask, kernel & p.asidMask, 'another PGD another asid');
});

t.test('entry pt_regs and ABI exit_stop are checked', async (t) => {
  const text = (entryExtra: string, abiExtra: string): string =>
    [
      'name: x', 'os: linux', 'arch: x86_64', 'word_size: 8', 'prototypes: linux_x64.txt', 'breakpoint_kind: 1',
      'entries:',
      '  - { symbol: entry_SYSCALL_64, abi: x64 }',
      `  - { symbol: do_int80_emulation, abi: i386, regs_arg: rdi${entryExtra} }`,
      'registers: { nr: rax, args: [rdi], ret: rax, retaddr: rcx, sp: rsp, pc: rip, asid: cr3 }',
      'asid_mask: 0', 'errno_max: 4095',
      'abis:',
      '  i386:',
      '    prototypes: linux_x86.txt',
      '    word_size: 4',
      '    errno_max: 4095',
      '    registers: { ret: rax, sp: rsp }',
      abiExtra,
    ].join('\n');
  const ok = parseProfile(text(', pt_regs: { size: 168, nr: 80, args: [40], ret: 80, ip: 128, sp: 152 }', '    exit_stop: { user_cs: 0x23, handlers: { exit_group: __ia32_sys_exit_group } }'), 'p.yaml');
  t.equal(ok.entries[1]?.ptRegs?.nr, 80);
  t.same(ok.abis.i386?.exitStop, { userCs: 0x23, handlers: { exit_group: '__ia32_sys_exit_group' } });
  t.match(errorOf(() => parseProfile(text('', ''), 'p.yaml')), /^p\.yaml:9:\d+: an entry with 'regs_arg' needs a 'pt_regs' layout/, 'regs_arg without any layout');
  t.match(errorOf(() => parseProfile(text(', optional: 1, pt_regs: { size: 168, nr: 80, args: [40], ret: 80, ip: 128, sp: 152 }', ''), 'p.yaml')), /^p\.yaml:9:\d+: 'optional' must be true or false/);
  t.match(errorOf(() => parseProfile(text(', pt_regs: { size: 168 }', ''), 'p.yaml')), /^p\.yaml:9:\d+: missing key 'args'/);
  t.match(errorOf(() => parseProfile(text(', pt_regs: { size: 168, nr: 80, args: [40], ret: 80, ip: 128, sp: 152 }', '    exit_stop: { handlers: {} }'), 'p.yaml')), /^p\.yaml:19:\d+: missing key 'user_cs'/);
  t.match(errorOf(() => parseProfile(text(', pt_regs: { size: 168, nr: 80, args: [40], ret: 80, ip: 128, sp: 152 }', '    exit_stop: { user_cs: 0x23, handlers: { exit: [a] } }'), 'p.yaml')), /^p\.yaml:19:\d+: handlers map a call name to a kernel function/);
});
