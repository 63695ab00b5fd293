/**
 * Hostile guest, decoders (issue 8, item 3): every syscall of every prototype table with
 * garbage in every register, through unmapped, endless (no NUL for megabytes, non-UTF-8),
 * flaky (other bytes on every read), sparse and fully readable memories; each call decodes
 * to text without a throw, a hang or asking memory for more than its bound
 * (test/fuzz/targets/hostile-decode.ts).
 */
import t from 'tap';
import { argsOf, decodeEnter, decodeReturn, formatReturn, joinArgs, readBudget } from '../../src/decode/decoder.js';
import { NO_MEMORY, staticMemory, type GuestMemory } from '../../src/decode/memory.js';
import { parsePrototypes } from '../../src/decode/prototypes.js';
import { isoTime } from '../../src/decode/structs.js';
import { assertFuzz, runFuzz } from '../fuzz/harness.js';
import { tableFiles } from '../fuzz/tables.js';

t.test('hostile-decode fuzz', async (t) => {
  const r = await runFuzz({
    name: 'hostile-decode',
    target: new URL('../fuzz/targets/hostile-decode.js', import.meta.url),
    seed: 0x5eed_0005,
    count: 100_000,
    workers: 2,
    hangMs: 10_000,
    budgetMs: 90_000,
  });
  assertFuzz(t, r);
});

const table = parsePrototypes(
  [
    '0 long sys_read(unsigned int fd, char __user *buf, size_t count);',
    '1 long sys_write(unsigned int fd, const char __user *buf, size_t count);',
    '2 long sys_open(const char __user *filename, int flags, umode_t mode);',
    '59 long sys_execve(const char __user *filename, const char __user *const __user *argv, const char __user *const __user *envp);',
  ].join('\n'),
  'test.txt',
  8,
);

async function line(no: number, raw: bigint[], ret: bigint, mem = NO_MEMORY, strsize = 32): Promise<string> {
  const info = table.getSyscallInfo(no)!;
  const args = argsOf(info, raw);
  await decodeEnter(info, args, mem, { strsize });
  await decodeReturn(info, args, ret, mem, { strsize });
  return `${info.name}(${joinArgs(args)}) = ${formatReturn(info.name, ret, 4095)}`;
}

t.test('the cases of the issue, one by one', async (t) => {
  const M = 2n ** 64n - 1n;
  // Unmapped pointers print raw; counts of 2^63 and 2^64-1 print as the size_t they are;
  // negative fds print signed.
  t.equal(await line(1, [M, 0xdead0000n, M], M - 13n), 'write(-1, 0xdead0000, 18446744073709551615) = -1 EFAULT (Bad address)');
  t.equal(await line(1, [2n ** 63n, 0xdead0000n, 2n ** 63n], 5n), 'write(0, 0xdead0000, 9223372036854775808) = 5');
  t.equal(await line(0, [3n, 0xdead0000n, M], 2n ** 63n), 'read(3, 0xdead0000, 18446744073709551615) = -9223372036854775808');
  // A string with no NUL for megabytes: cut at strsize, `...` after it; non-UTF-8 in octal.
  const endless = staticMemory([[0x1000n, Buffer.alloc(4 << 20, 0xff)]]);
  t.equal(await line(2, [0x1000n, 0n, 0n], 3n, endless, 4), `open("${'\\377'.repeat(4096)}"..., O_RDONLY) = 3`);
  t.equal(await line(1, [1n, 0x1000n, M], 4n, endless, 4), 'write(1, "\\377\\377\\377\\377"..., 18446744073709551615) = 4');
  // An argv whose pointers go on forever is cut at 32 items; an envp counted up to 4096.
  const ptrs = Buffer.alloc(0x10000);
  for (let i = 0; i < ptrs.length; i += 8) ptrs.writeBigUInt64LE(0x1000n, i);
  const mem = staticMemory([[0x1000n, Buffer.from('x\0')], [0x100000n, ptrs]]);
  const exec = await line(59, [0x1000n, 0x100000n, 0x100000n], 0n, mem);
  t.equal(exec, `execve("x", [${Array(32).fill('"x"').join(', ')}, ...], 0x100000 /* 4096+ vars */) = 0`);
});

/** staticMemory that counts what it hands back and notes odd lengths. */
function counting(mem: GuestMemory): GuestMemory & { read_: number; bad: number[] } {
  const c = {
    read_: 0,
    bad: [] as number[],
    read: async (addr: bigint, len: number) => {
      if (!Number.isInteger(len) || len < 0) c.bad.push(len);
      const b = await mem.read(addr, len);
      c.read_ += b?.length ?? 0;
      return b;
    },
    readString: async (addr: bigint, max: number) => {
      if (!Number.isInteger(max) || max < 0) c.bad.push(max);
      const s = await mem.readString(addr, max);
      c.read_ += s ? s.bytes.length + (s.terminated ? 1 : 0) : 0;
      return s;
    },
  };
  return c;
}

// Found by the fuzzer in the strace-6.1 decoders: -s N arrays of -s N strings read N^2
// bytes (16 MiB for an execve at -s 4096), returns of 2^32 or -2^63 became read lengths.
t.test('one pass reads at most readBudget(strsize), whatever the guest holds', async (t) => {
  const x64 = tableFiles().find((f) => f.name === 'linux_x64.txt')!;
  const real = parsePrototypes(x64.text, x64.path, 8, x64.renames);
  const ptrs = Buffer.alloc(0x10000);
  for (let i = 0; i < ptrs.length; i += 8) ptrs.writeBigUInt64LE(0x100_0000n, i);
  const guest = staticMemory([[0x100_0000n, Buffer.alloc(1 << 20, 0x41)], [0x200_0000n, ptrs]]);
  const cases: Array<[string, bigint[], bigint]> = [
    ['execve', [0x100_0000n, 0x200_0000n, 0x200_0000n], 0n],
    ['writev', [1n, 0x200_0000n, 4096n], 4096n],
    ['read', [3n, 0x100_0000n, 2n ** 64n - 1n], 2n ** 63n],
    ['getdents64', [3n, 0x100_0000n, 2n ** 32n], 2n ** 32n],
    ['sched_getaffinity', [0n, 2n ** 32n, 0x100_0000n], 2n ** 32n - 1n],
    ['epoll_wait', [3n, 0x100_0000n, 2n ** 31n - 1n, 0n], 2n ** 31n - 1n],
  ];
  for (const strsize of [32, 4096]) {
    for (const [name, raw, ret] of cases) {
      const info = real.byShortName(name)!;
      const args = argsOf(info, raw);
      const enter = counting(guest);
      await decodeEnter(info, args, enter, { strsize });
      const exit = counting(guest);
      await decodeReturn(info, args, ret, exit, { strsize });
      t.ok(enter.read_ <= readBudget(strsize) && exit.read_ <= readBudget(strsize), `${name} -s ${strsize}: read ${enter.read_} + ${exit.read_} bytes (budget ${readBudget(strsize)} a pass)`);
      t.same([...enter.bad, ...exit.bad], [], `${name} -s ${strsize}: whole, non-negative lengths`);
      t.ok(args.every((a) => a.omitted || typeof a.text === 'string'), `${name} -s ${strsize}: every argument printed`);
    }
  }
});

// Found by the fuzzer: a time_t beyond a JS Date's range printed `NaN-NaN-NaNTNaN:NaN:NaN`.
t.test('times of any time_t print as dates', async (t) => {
  t.equal(isoTime(1764390807n, 729770064n), '2025-11-29T04:33:27.729770064+0000');
  t.equal(isoTime(0n), '1970-01-01T00:00:00+0000');
  t.equal(isoTime(-1n), '1969-12-31T23:59:59+0000');
  t.equal(isoTime(951782400n), '2000-02-29T00:00:00+0000');
  t.equal(isoTime(2n ** 63n - 1n), '292277026596-12-04T15:30:07+0000', 'as glibc gmtime gives it');
  t.equal(isoTime(-(2n ** 63n)), '-292277022657-01-27T08:29:52+0000');
});
