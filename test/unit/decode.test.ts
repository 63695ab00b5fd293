import t from 'tap';
import { formatFlags, quoteBytes, quoteLimited } from '../../src/decode/format.js';
import { argsOf, callName, decodeEnter, decodeReturn, formatReturn, joinArgs, waitStatus } from '../../src/decode/decoder.js';
import { staticMemory, NO_MEMORY } from '../../src/decode/memory.js';
import { parsePrototypes } from '../../src/decode/prototypes.js';
import { OPEN_FLAGS } from '../../src/decode/tables/linux-flags.js';

const table = parsePrototypes(
  [
    '0 long sys_read(unsigned int fd, char __user *buf, size_t count);',
    '1 long sys_write(unsigned int fd, const char __user *buf, size_t count);',
    '35 long sys_nanosleep(struct __kernel_timespec __user *rqtp, struct __kernel_timespec __user *rmtp);',
    '59 long sys_execve(const char __user *filename, const char __user *const __user *argv, const char __user *const __user *envp);',
    '61 long sys_wait4(pid_t pid, int __user *stat_addr, int options, struct rusage __user *ru);',
    '231 long sys_exit_group(int error_code);',
    '257 long sys_openat(int dfd, const char __user *filename, int flags, umode_t mode);',
    '293 long sys_pipe2(int __user *fildes, int flags);',
  ].join('\n'),
  'test.txt',
  8,
);

async function line(no: number, raw: bigint[], ret: bigint | undefined, mem = NO_MEMORY, strsize = 32): Promise<string> {
  const info = table.getSyscallInfo(no);
  const args = argsOf(info, raw);
  await decodeEnter(info, args, mem, { strsize });
  if (ret !== undefined) await decodeReturn(info, args, ret, mem, { strsize });
  return `${callName(info, no)}(${joinArgs(args)}) = ${formatReturn(callName(info, no), ret, 4095)}`;
}

const STR = 0x1000n;
const mem = staticMemory([
  [STR, Buffer.from('/etc/hostname\0')],
  [0x2000n, Buffer.from('systrace-guest\n')],
  [0x3000n, Buffer.from([4, 0, 0, 0, 5, 0, 0, 0])],
  [0x4000n, Buffer.from([0, 7, 0, 0])],
  [0x5000n, Buffer.alloc(16)],
  [0x6000n, Buffer.from('a'.repeat(100))],
  [0x7000n, Buffer.from([0x10, 0x70, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0])],
  [0x7010n, Buffer.from('/bin/systest\0')],
]);

t.test('strace quoting', async (t) => {
  const cases: Array<[number[] | string, string]> = [
    ['abc', '"abc"'],
    ['a"b\\c', '"a\\"b\\\\c"'],
    ['\t\n\v\f\r', '"\\t\\n\\v\\f\\r"'],
    [[0, 0x31], '"\\0001"'],
    [[0, 0x41], '"\\0A"'],
    [[0x1b, 0xff], '"\\33\\377"'],
  ];
  for (const [input, want] of cases) t.equal(quoteBytes(typeof input === 'string' ? Buffer.from(input) : Uint8Array.from(input)), want);
  t.equal(quoteLimited(Buffer.from('abcdef'), 3), '"abc"...');
  t.equal(quoteLimited(Buffer.from('abc'), 3), '"abc"');
  t.equal(quoteLimited(Buffer.from('abc'), 3, true), '"abc"...');
});

t.test('flags', async (t) => {
  t.equal(formatFlags(0o1101n, OPEN_FLAGS), 'O_CREAT|O_TRUNC|0x1');
  t.equal(formatFlags(0n, OPEN_FLAGS), '0');
  t.equal(formatFlags(0o4010000n, OPEN_FLAGS), 'O_SYNC');
  t.equal(formatFlags(0x80000000n, OPEN_FLAGS), '0x80000000');
});

t.test('return values', async (t) => {
  t.equal(formatReturn('openat', 3n, 4095), '3');
  t.equal(formatReturn('openat', 2n ** 64n - 2n, 4095), '-1 ENOENT (No such file or directory)');
  t.equal(formatReturn('x', 2n ** 64n - 38n, 4095), '-1 ENOSYS (Function not implemented)');
  t.equal(formatReturn('x', 2n ** 64n - 512n, 4095), '? ERESTARTSYS (To be restarted if SA_RESTART is set)');
  t.equal(formatReturn('brk', 0x55d4c000n, 4095), '0x55d4c000');
  t.equal(formatReturn('exit_group', undefined, 4095), '?');
  t.equal(formatReturn('x', 2n ** 64n - 4096n, 4095), '-4096', 'below -4095 is a value, not an error');
});

t.test('calls decoded as strace prints them', async (t) => {
  const AT_FDCWD = 2n ** 64n - 100n;
  t.equal(await line(257, [AT_FDCWD, STR, 0n, 0n], 3n, mem), 'openat(AT_FDCWD, "/etc/hostname", O_RDONLY) = 3');
  t.equal(await line(257, [AT_FDCWD, STR, 0o1101n, 0o644n], 3n, mem), 'openat(AT_FDCWD, "/etc/hostname", O_WRONLY|O_CREAT|O_TRUNC, 0644) = 3');
  t.equal(await line(0, [3n, 0x2000n, 64n], 15n, mem), 'read(3, "systrace-guest\\n", 64) = 15');
  t.equal(await line(0, [3n, 0x2000n, 64n], 2n ** 64n - 9n, mem), 'read(3, 0x2000, 64) = -1 EBADF (Bad file descriptor)');
  t.equal(await line(1, [1n, 0x6000n, 100n], 100n, mem), `write(1, "${'a'.repeat(32)}"..., 100) = 100`);
  t.equal(await line(1, [1n, 0xdead0000n, 5n], 2n ** 64n - 14n, mem), 'write(1, 0xdead0000, 5) = -1 EFAULT (Bad address)', 'unreadable buffer prints the pointer');
  t.equal(await line(293, [0x3000n, 0n], 0n, mem), 'pipe2([4, 5], 0) = 0');
  t.equal(await line(61, [42n, 0x4000n, 0n, 0n], 42n, mem), 'wait4(42, [{WIFEXITED(s) && WEXITSTATUS(s) == 7}], 0, NULL) = 42');
  t.equal(await line(35, [0x5000n, 0n], 0n, mem), 'nanosleep({tv_sec=0, tv_nsec=0}, NULL) = 0');
  t.equal(await line(59, [0x7010n, 0x7000n, 0x7000n], 0n, mem), 'execve("/bin/systest", ["/bin/systest"], 0x7000 /* 1 var */) = 0');
  t.equal(await line(231, [0n], undefined), 'exit_group(0) = ?');
  t.equal(await line(1000, [1n, 2n, 3n, 4n, 5n, 6n], 2n ** 64n - 38n), 'syscall_0x3e8(0x1, 0x2, 0x3, 0x4, 0x5, 0x6) = -1 ENOSYS (Function not implemented)');
});

t.test('wait status', async (t) => {
  t.equal(waitStatus(0x0700), '{WIFEXITED(s) && WEXITSTATUS(s) == 7}');
  t.equal(waitStatus(9), '{WIFSIGNALED(s) && WTERMSIG(s) == SIGKILL}');
  t.equal(waitStatus(0x8b), '{WIFSIGNALED(s) && WTERMSIG(s) == SIGSEGV && WCOREDUMP(s)}');
  t.equal(waitStatus(0x137f), '{WIFSTOPPED(s) && WSTOPSIG(s) == SIGSTOP}');
});
