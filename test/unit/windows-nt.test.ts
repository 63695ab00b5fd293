/**
 * Windows: the NT decoders (src/decode/nt.ts) on 32- and 64-bit layouts, hostile structures,
 * the five Windows profiles (entries located without symbols, their errors), and
 * `systrace syscalls --profile windows_7_x86 NtReadFile`.
 */
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { argsOf, callName, decodeEnter, decodeReturn, joinArgs } from '../../src/decode/decoder.js';
import { staticMemory, type GuestMemory } from '../../src/decode/memory.js';
import { formatNtStatus, ntError, quoteWide } from '../../src/decode/nt.js';
import { loadPrototypes, type SyscallTable } from '../../src/decode/prototypes.js';
import { loadProfile, parseProfile } from '../../src/profile/profile.js';
import { objectName } from '../../src/pipeline/plugins/filereadmon.js';
import { ROOT, cleanEnv } from '../integration/guest.js';

const tableOf = (name: string): SyscallTable => {
  const p = loadProfile(name);
  return loadPrototypes(p.prototypes, p.wordSize, p.names);
};
const w7 = tableOf('windows_7_x86');
const w64 = tableOf('windows_7_x64');

async function line(table: SyscallTable, name: string, raw: bigint[], status: bigint, mem: GuestMemory, strsize = 32): Promise<string> {
  const info = table.byShortName(name)!;
  const args = argsOf(info, raw);
  await decodeEnter(info, args, mem, { strsize });
  await decodeReturn(info, args, status, mem, { strsize });
  return `${callName(info, info.no)}(${joinArgs(args)}) = ${formatNtStatus(status)}`;
}

const le = (words: Array<[number, number | bigint]>, min = 0): Buffer => {
  const size = Math.max(min, ...words.map(([off, v]) => off + (typeof v === 'bigint' ? 8 : 4)));
  const b = Buffer.alloc(size);
  for (const [off, v] of words) {
    if (typeof v === 'bigint') b.writeBigUInt64LE(v, off);
    else b.writeUInt32LE(v, off);
  }
  return b;
};
const wide = (s: string): Buffer => Buffer.from(s, 'utf16le');
const ustr32 = (len: number, buf: number): Buffer => {
  const b = Buffer.alloc(8);
  b.writeUInt16LE(len, 0);
  b.writeUInt16LE(Math.min(len + 2, 0xffff), 2);
  b.writeUInt32LE(buf, 4);
  return b;
};

t.test('NTSTATUS: hex and name, severity 3 is an error', async (t) => {
  t.equal(formatNtStatus(0n), '0 STATUS_SUCCESS');
  t.equal(formatNtStatus(0xc0000034n), '0xc0000034 STATUS_OBJECT_NAME_NOT_FOUND');
  t.equal(formatNtStatus(0x103n), '0x103 STATUS_PENDING');
  t.equal(formatNtStatus(0xffffffffc0000008n), '0xc0000008 STATUS_INVALID_HANDLE', 'a sign-extended 32-bit status');
  t.equal(formatNtStatus(0xc0001234n), '0xc0001234', 'unknown: the hex alone');
  t.equal(formatNtStatus(undefined), '?');
  t.ok(ntError(0xc0000001n));
  t.notOk(ntError(0x80000005n), 'a warning is not an error');
  t.notOk(ntError(0n));
});

t.test('NtOpenFile on i386: OBJECT_ATTRIBUTES, UNICODE_STRING, out handle and IO_STATUS_BLOCK', async (t) => {
  const name = '\\??\\C:\\a "b".txt';
  const mem = staticMemory([
    [0x1000n, le([[0, 24], [4, 0], [8, 0x1100], [12, 0x40]], 24)], // OBJECT_ATTRIBUTES
    [0x1100n, ustr32(name.length * 2, 0x1200)],
    [0x1200n, wide(name)],
    [0x2000n, le([[0, 0x7c]])], // the handle written back
    [0x2100n, le([[0, 0], [4, 1]])], // IO_STATUS_BLOCK
  ]);
  t.equal(
    await line(w7, 'NtOpenFile', [0x2000n, 0x80100080n, 0x1000n, 0x2100n, 3n, 0x60n], 0n, mem),
    'NtOpenFile([0x7c], GENERIC_READ|SYNCHRONIZE|FILE_READ_ATTRIBUTES, {RootDirectory=NULL, ObjectName=L"\\\\??\\\\C:\\\\a \\"b\\".txt", Attributes=OBJ_CASE_INSENSITIVE}, {Status=STATUS_SUCCESS, Information=1}, FILE_SHARE_READ|FILE_SHARE_WRITE, FILE_SYNCHRONOUS_IO_NONALERT|FILE_NON_DIRECTORY_FILE) = 0 STATUS_SUCCESS',
  );
  t.equal(
    await line(w7, 'NtOpenFile', [0x2000n, 0x100001n, 0x1000n, 0x2100n, 0n, 0n], 0xc0000022n, mem),
    'NtOpenFile(0x2000, SYNCHRONIZE|FILE_READ_DATA, {RootDirectory=NULL, ObjectName=L"\\\\??\\\\C:\\\\a \\"b\\".txt", Attributes=OBJ_CASE_INSENSITIVE}, 0x2100, 0, 0) = 0xc0000022 STATUS_ACCESS_DENIED',
    'a failed call: out-parameters as their addresses',
  );
  t.equal(
    await line(w7, 'NtOpenFile', [0x2000n, 0x100001n, 0x1000n, 0x2100n, 0n, 0n], 0n, mem, 4),
    'NtOpenFile([0x7c], SYNCHRONIZE|FILE_READ_DATA, {RootDirectory=NULL, ObjectName=L"\\\\??\\\\"..., Attributes=OBJ_CASE_INSENSITIVE}, {Status=STATUS_SUCCESS, Information=1}, 0, 0) = 0 STATUS_SUCCESS',
    '-s 4 cuts the name',
  );
});

t.test('NtCreateFile on x86_64: 64-bit layouts, stack words with garbage above a ULONG', async (t) => {
  const name = 'x\u00e9\u4e2d';
  const us = Buffer.alloc(16);
  us.writeUInt16LE(name.length * 2, 0);
  us.writeBigUInt64LE(0x3200n, 8);
  const mem = staticMemory([
    [0x3000n, le([[0, 48], [8, 0x24n], [16, 0x3100n], [24, 0x42]], 48)],
    [0x3100n, us],
    [0x3200n, wide(name)],
    [0x4000n, le([[0, 0x1f4n]])],
    [0x4100n, le([[0, 0], [8, 2n]])],
    [0x4200n, le([[0, -5n & 0xffffffffffffffffn]])],
  ]);
  const junk = 0xdead_0000_0000_0000n;
  t.equal(
    await line(w64, 'NtCreateFile', [0x4000n, 0x40100000n, 0x3000n, 0x4100n, 0x4200n, junk | 0x80n, junk | 7n, junk | 2n, junk | 0x1021n, 0n, junk], 0n, mem),
    'NtCreateFile([0x1f4], GENERIC_WRITE|SYNCHRONIZE, {RootDirectory=0x24, ObjectName=L"x\\xe9\\u4e2d", Attributes=OBJ_INHERIT|OBJ_CASE_INSENSITIVE}, {Status=STATUS_SUCCESS, Information=2}, [-5], FILE_ATTRIBUTE_NORMAL, FILE_SHARE_READ|FILE_SHARE_WRITE|FILE_SHARE_DELETE, FILE_CREATE, FILE_DIRECTORY_FILE|FILE_SYNCHRONOUS_IO_NONALERT|FILE_DELETE_ON_CLOSE, NULL, 0) = 0 STATUS_SUCCESS',
  );
});

t.test('NtReadFile: the bytes IO_STATUS_BLOCK.Information says arrived; NtWriteFile: Length bytes', async (t) => {
  const mem = staticMemory([
    [0x5000n, le([[0, 0], [4, 5]])],
    [0x6000n, Buffer.from('hello, world')],
    [0x7000n, le([[0, 0], [4, 0]])],
  ]);
  t.equal(await line(w7, 'NtReadFile', [0x80n, 0n, 0n, 0n, 0x5000n, 0x6000n, 64n, 0x7000n, 0n], 0n, mem), 'NtReadFile(0x80, NULL, NULL, NULL, {Status=STATUS_SUCCESS, Information=5}, "hello", 64, [0], NULL) = 0 STATUS_SUCCESS');
  t.equal(await line(w7, 'NtReadFile', [0x80n, 0n, 0n, 0n, 0x5000n, 0x6000n, 64n, 0n, 0n], 0xc0000011n, mem), 'NtReadFile(0x80, NULL, NULL, NULL, 0x5000, 0x6000, 64, NULL, NULL) = 0xc0000011 STATUS_END_OF_FILE');
  t.equal(await line(w7, 'NtWriteFile', [0x7cn, 0n, 0n, 0n, 0x5000n, 0x6000n, 12n, 0n, 0n], 0n, mem), 'NtWriteFile(0x7c, NULL, NULL, NULL, {Status=STATUS_SUCCESS, Information=5}, "hello, world", 12, NULL, NULL) = 0 STATUS_SUCCESS');
});

t.test('hostile structures print addresses, never throw', async (t) => {
  const mem = staticMemory([
    [0x1000n, le([[0, 24], [4, 0], [8, 0x1100], [12, 0xffffffff]], 24)],
    [0x1100n, ustr32(0xfffe, 0x9000)], // a 32767-character name whose buffer is not there
    [0x2000n, Buffer.alloc(2)], // a short IO_STATUS_BLOCK
  ]);
  t.equal(
    await line(w7, 'NtOpenFile', [0x8000n, 0xffffffffn, 0x1000n, 0x2000n, 0xf0n, 0xff000000n], 0n, mem),
    'NtOpenFile(0x8000, GENERIC_READ|GENERIC_WRITE|GENERIC_EXECUTE|GENERIC_ALL|MAXIMUM_ALLOWED|ACCESS_SYSTEM_SECURITY|SYNCHRONIZE|WRITE_OWNER|WRITE_DAC|READ_CONTROL|DELETE|FILE_WRITE_ATTRIBUTES|FILE_READ_ATTRIBUTES|FILE_DELETE_CHILD|FILE_EXECUTE|FILE_WRITE_EA|FILE_READ_EA|FILE_APPEND_DATA|FILE_WRITE_DATA|FILE_READ_DATA|0xce0fe00, {RootDirectory=NULL, ObjectName=0x1100, Attributes=OBJ_INHERIT|OBJ_PERMANENT|OBJ_EXCLUSIVE|OBJ_CASE_INSENSITIVE|OBJ_OPENIF|OBJ_OPENLINK|OBJ_KERNEL_HANDLE|OBJ_FORCE_ACCESS_CHECK|0xfffff80d}, 0x2000, 0xf0, 0xff000000) = 0 STATUS_SUCCESS',
  );
  t.equal(quoteWide(Buffer.from([0x0a, 0, 0x01, 0]), 2, 1), 'L"\\n"...', 'cut after max characters');
});

t.test('filereadmon reads the file name back from the trace text', async (t) => {
  t.equal(objectName('{RootDirectory=NULL, ObjectName=L"\\\\??\\\\C:\\\\a \\"b\\".txt", Attributes=0}'), '\\??\\C:\\a "b".txt');
  t.equal(objectName('{RootDirectory=NULL, ObjectName=0x1100, Attributes=0}'), undefined);
  t.equal(objectName(undefined), undefined);
});

t.test('the five Windows profiles', async (t) => {
  const want: Record<string, string> = {
    windows_2000_x86: 'IDT vector 0x2e',
    windows_xpsp2_x86: 'the address at 0x7ffe0300',
    windows_xpsp3_x86: 'the address at 0x7ffe0300',
    windows_7_x86: 'the address at 0x7ffe0300',
    windows_7_x64: 'KiSystemCall64',
  };
  for (const [name, entry] of Object.entries(want)) {
    const p = loadProfile(name);
    t.equal(p.os, 'windows', `${name} is a Windows profile`);
    t.equal(p.entries.length, 1);
    t.equal(p.entries[0]!.symbol, entry, `${name}'s entry`);
    t.equal(p.execCommit, undefined, 'no exec_commit');
    t.equal(p.kaslr, undefined, 'no KASLR');
  }
  t.same(loadProfile('windows_7_x86').entries[0]!.locate, { pointer: 0x7ffe0300n });
  t.same(loadProfile('windows_2000_x86').entries[0]!.locate, { idt: 0x2e });
  t.same(loadProfile('windows_7_x64').entries[0]!.stackArgs, { from: 4, offset: 0x28 });
});

t.test('profile errors: one place per entry, in range', async (t) => {
  const base = (entry: string): string => `name: w\nos: windows\narch: i386\nword_size: 4\nprototypes: windows_7_x86.txt\nbreakpoint_kind: 1\nentries:\n${entry}registers: {nr: eax, args: [], ret: eax, retaddr: eip, sp: esp, pc: eip, asid: cr3}\nasid_mask: "0xfffff000"\nerrno_max: 0\n`;
  t.throws(() => parseProfile(base('  - {symbol: KiFastSystemCall, pointer: "0x7ffe0300", abi: w}\n'), 'w.yaml'), /w\.yaml:8:\d+: an entry needs exactly one of 'symbol', 'pointer', 'idt_vector'/);
  t.throws(() => parseProfile(base('  - {abi: w}\n'), 'w.yaml'), /w\.yaml:8:\d+: an entry needs exactly one of/);
  t.throws(() => parseProfile(base('  - {idt_vector: 300, abi: w}\n'), 'w.yaml'), /w\.yaml:8:\d+: 'idt_vector' must be 0\.\.255/);
  t.throws(() => parseProfile(base('  - {pointer: "nope", abi: w}\n'), 'w.yaml'), /w\.yaml:8:\d+: 'pointer' must be an integer/);
  t.equal(parseProfile(base('  - {pointer: "0x7ffe0300", abi: w}\n'), 'w.yaml').entries[0]!.symbol, 'the address at 0x7ffe0300');
});

t.test('systrace syscalls --profile windows_7_x86 NtReadFile: number 273, nine arguments', async (t) => {
  const r = spawnSync(process.execPath, [join(ROOT, 'bin', 'systrace'), 'syscalls', '--profile', 'windows_7_x86', 'NtReadFile'], { encoding: 'utf8', env: cleanEnv(), timeout: 30_000 });
  t.equal(r.status, 0, r.stderr);
  const m = /^\s*(\d+)\s+NtReadFile\s+NTSTATUS NtReadFile\((.*)\)$/m.exec(r.stdout);
  t.ok(m, r.stdout);
  t.equal(m?.[1], '273');
  t.same(m?.[2]!.split(', ').map((a) => a.split(' ')[1]), ['FileHandle', 'Event', 'ApcRoutine', 'ApcContext', 'IoStatusBlock', 'Buffer', 'Length', 'ByteOffset', 'Key']);
  t.ok(w7.byShortName('NtReadFile')?.nargs === 9 || w7.byShortName('NtReadFile')?.args.length === 9, 'the table agrees');
});

t.test('windows_7_x64 without --symbols: a usage error naming what to give, before any guest is touched', async (t) => {
  const r = spawnSync(process.execPath, [join(ROOT, 'bin', 'systrace'), '--gdb', '/nonexistent.sock', '--profile', 'windows_7_x64'], { encoding: 'utf8', env: cleanEnv(), timeout: 30_000 });
  t.equal(r.status, 2);
  t.match(r.stderr, /profile windows_7_x64 needs the address of KiSystemCall64: give --symbols FILE \(System\.map lines: '<hex address> T KiSystemCall64'\)/);
});
