/**
 * Layouts and constants by architecture (src/decode/arch.ts): the arm64 table gets ARM's O_*
 * values, the generic struct stat, 16-byte epoll events and its clone argument order.
 */
import t from 'tap';
import { argsOf, callName, decodeEnter, decodeReturn, formatReturn, joinArgs } from '../../src/decode/decoder.js';
import { staticMemory } from '../../src/decode/memory.js';
import { loadPrototypes } from '../../src/decode/prototypes.js';
import { loadProfile } from '../../src/profile/profile.js';

const p = loadProfile('linux_arm64');
const arm64 = loadPrototypes(p.prototypes, p.wordSize, p.names);
const p64 = loadProfile('linux_x64');
const x64 = loadPrototypes(p64.prototypes, p64.wordSize, p64.names);

async function line(table: typeof arm64, name: string, regs: bigint[], ret: bigint, mem = staticMemory([])): Promise<string> {
  const info = table.byShortName(name)!;
  const args = argsOf(info, regs);
  await decodeEnter(info, args, mem, { strsize: 32 });
  await decodeReturn(info, args, ret, mem, { strsize: 32 });
  return `${callName(info, info.no)}(${joinArgs(args)}) = ${formatReturn(info.name, ret, 4095, 8, args)}`;
}

const path = staticMemory([[0x1000n, Buffer.from('/tmp\0')]]);

t.test('open flags: ARM values on arm64, x86 values on x86_64', async (t) => {
  const AT = BigInt.asUintN(64, -100n);
  t.equal(await line(arm64, 'openat', [AT, 0x1000n, 0o2140000n, 0n], 3n, path), 'openat(AT_FDCWD, "/tmp", O_RDONLY|O_NOFOLLOW|O_CLOEXEC|O_DIRECTORY) = 3');
  t.equal(await line(arm64, 'openat', [AT, 0x1000n, 0o200000n, 0n], 3n, path), 'openat(AT_FDCWD, "/tmp", O_RDONLY|O_DIRECT) = 3');
  t.equal(await line(x64, 'openat', [AT, 0x1000n, 0o2600000n, 0n], 3n, path), 'openat(AT_FDCWD, "/tmp", O_RDONLY|O_NOFOLLOW|O_CLOEXEC|O_DIRECTORY) = 3');
  t.equal(await line(arm64, 'fcntl', [3n, 3n, 0n], 0o400000n), 'fcntl(3, F_GETFL) = 0x20000 (flags O_RDONLY|O_LARGEFILE)');
});

t.test('struct stat: the generic layout on arm64', async (t) => {
  const st = Buffer.alloc(128);
  st.writeUInt32LE(0o40755, 16); // st_mode
  st.writeUInt32LE(2, 20); // st_nlink
  st.writeBigInt64LE(40n, 48); // st_size
  const mem = staticMemory([[0x1000n, Buffer.from('proc\0')], [0x2000n, st]]);
  t.equal(await line(arm64, 'newfstatat', [BigInt.asUintN(64, -100n), 0x1000n, 0x2000n, 0n], 0n, mem), 'newfstatat(AT_FDCWD, "proc", {st_mode=S_IFDIR|0755, st_size=40, ...}, 0) = 0');
});

t.test('epoll_event: 16 bytes on arm64', async (t) => {
  const ev = Buffer.alloc(16);
  ev.writeUInt32LE(1, 0);
  ev.writeBigUInt64LE(7n, 8);
  t.equal(await line(arm64, 'epoll_ctl', [6n, 1n, 4n, 0x1000n], 0n, staticMemory([[0x1000n, ev]])), 'epoll_ctl(6, EPOLL_CTL_ADD, 4, {events=EPOLLIN, data={u32=7, u64=7}}) = 0');
});

t.test('clone: arguments by name (arm64 passes tls before child_tidptr)', async (t) => {
  t.equal(await line(arm64, 'clone', [0x1200011n, 0n, 0n, 0x5555n, 0x149630d0n], 83n), 'clone(child_stack=NULL, flags=CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD, child_tidptr=0x149630d0) = 83');
  t.equal(await line(x64, 'clone', [0x1200011n, 0n, 0n, 0x149630d0n, 0x5555n], 83n), 'clone(child_stack=NULL, flags=CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD, child_tidptr=0x149630d0) = 83');
});
