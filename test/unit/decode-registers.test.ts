/**
 * 64-bit arguments on 32-bit ABIs (src/decode/registers.ts): i386's split halves joined,
 * ARM/MIPS register pairs aligned to even registers, big-endian order; x86_64 untouched.
 */
import t from 'tap';
import { argsOf, callName, decodeEnter, decodeReturn, formatReturn, joinArgs, type PairAbi } from '../../src/decode/decoder.js';
import { staticMemory } from '../../src/decode/memory.js';
import { parsePrototypes, loadPrototypes } from '../../src/decode/prototypes.js';
import { loadProfile } from '../../src/profile/profile.js';

const i386 = parsePrototypes(
  [
    '140 long sys_llseek(unsigned int fd, unsigned long offset_high, unsigned long offset_low, loff_t __user *result, unsigned int whence);',
    '180 long sys_ia32_pread64(unsigned int fd, char __user *ubuf, u32 count, u32 poslo, u32 poshi);',
    '272 long sys_ia32_fadvise64_64(int fd, __u32 offset_low, __u32 offset_high, __u32 len_low, __u32 len_high, int advice);',
    '314 long sys_ia32_sync_file_range(int fd, unsigned int off_low, unsigned int off_hi, unsigned int n_low, unsigned int n_hi, int flags);',
  ].join('\n'),
  'x86.txt',
  4,
  { sys_ia32_pread64: 'pread64', sys_ia32_fadvise64_64: 'fadvise64_64', sys_ia32_sync_file_range: 'sync_file_range' },
);
const arm = parsePrototypes(
  [
    '180 long sys_pread64(unsigned int fd, char __user *buf, size_t count, loff_t pos);',
    '194 long sys_ftruncate64(unsigned int fd, loff_t length);',
    '270 long sys_arm_fadvise64_64(int fd, int advice, loff_t offset, loff_t len);',
  ].join('\n'),
  'arm.txt',
  4,
);

async function line(table: typeof arm, no: number, regs: bigint[], ret: bigint, abi?: PairAbi): Promise<string> {
  const info = table.getSyscallInfo(no)!;
  const mem = staticMemory([[0x1000n, Buffer.from('abcd')], [0x2000n, Buffer.from([1, 0, 0, 0, 1, 0, 0, 0])]]);
  const args = argsOf(info, regs, abi);
  await decodeEnter(info, args, mem, { strsize: 32 });
  await decodeReturn(info, args, ret, mem, { strsize: 32 });
  return `${callName(info, no)}(${joinArgs(args)}) = ${formatReturn(info.name, ret, 4095, 4, args)}`;
}

t.test('i386: split halves are one argument, whatever their order', async (t) => {
  t.equal(await line(i386, 180, [3n, 0x1000n, 4n, 2n, 1n], 4n), 'pread64(3, "abcd", 4, 4294967298) = 4');
  t.equal(await line(i386, 140, [3n, 1n, 0n, 0x2000n, 0n], 0n), 'llseek(3, 4294967296, [4294967297], SEEK_SET) = 0');
  t.equal(await line(i386, 272, [3n, 0n, 0n, 0x1000n, 0n, 2n], 0n), 'fadvise64_64(3, 0, 4096, POSIX_FADV_SEQUENTIAL) = 0');
  t.equal(await line(i386, 314, [3n, 0n, 0n, 0n, 0n, 2n], 0n), 'sync_file_range(3, 0, 0, SYNC_FILE_RANGE_WRITE) = 0');
  const args = argsOf(i386.getSyscallInfo(180), [3n, 0x1000n, 4n, 2n, 1n]);
  t.same(args.map((a) => [a.name, a.type, a.raw]), [['fd', 'unsigned int', 3n], ['ubuf', 'char __user *', 0x1000n], ['count', 'u32', 4n], ['pos', 'loff_t', 0x100000002n]], 'events carry the joined value');
});

t.test('ARM EABI: a 64-bit argument in an even register pair', async (t) => {
  const abi: PairAbi = { pairs: 'aligned' };
  t.equal(await line(arm, 180, [3n, 0x1000n, 4n, 0xdeadn, 2n, 1n], 4n, abi), 'pread64(3, "abcd", 4, 4294967298) = 4', 'r3 skipped');
  t.equal(await line(arm, 194, [3n, 0xdeadn, 20n, 0n], 0n, abi), 'ftruncate64(3, 20) = 0');
  t.equal(await line(arm, 270, [3n, 2n, 0n, 0n, 4096n, 0n], 0n, abi), 'arm_fadvise64_64(3, POSIX_FADV_SEQUENTIAL, 0, 4096) = 0', 'already aligned: nothing skipped');
  t.equal(await line(arm, 194, [3n, 0xdeadn, 0n, 20n], 0n, { pairs: 'aligned', bigEndian: true }), 'ftruncate64(3, 20) = 0', 'big-endian: high word first');
  t.equal(await line(arm, 194, [3n, 20n, 0n], 0n, { pairs: 'consecutive' }), 'ftruncate64(3, 20) = 0', 'consecutive: no skipping');
});

t.test('x86_64: one register per argument, preadv\'s pos_l is whole', async (t) => {
  const p = loadProfile('linux_x64');
  const x64 = loadPrototypes(p.prototypes, p.wordSize, p.names);
  const preadv = x64.byShortName('preadv')!;
  const args = argsOf(preadv, [3n, 0x1000n, 1n, 0x100000002n, 0n]);
  t.equal(args.length, 5);
  t.equal(args[3]!.raw, 0x100000002n);
});
