/**
 * Windows native API (NT system services) argument and return decoding, chosen by the
 * prototype's type and name (PANDA's Windows tables name the WDK types: HANDLE, PHANDLE,
 * ACCESS_MASK, POBJECT_ATTRIBUTES, PIO_STATUS_BLOCK...).
 *
 * Notation (ours; strace has none for Windows): handles in hex; out-handles and
 * LARGE_INTEGERs as `[value]`; flags by name joined with `|`; UNICODE_STRINGs as `L"..."`
 * with C escapes; OBJECT_ATTRIBUTES as `{RootDirectory=..., ObjectName=L"...", Attributes=...}`;
 * IO_STATUS_BLOCK as `{Status=..., Information=N}`; returns as `0 STATUS_SUCCESS` or
 * `0xc0000034 STATUS_OBJECT_NAME_NOT_FOUND` (the hex, then the name where known).
 * Out-parameters are read at return unless the status is an error (severity 3: NT_ERROR).
 *
 * Facts, from Microsoft's public documentation (learn.microsoft.com) and the values its
 * headers publish:
 * - Layouts (ntdef.h, wdm.h): UNICODE_STRING {USHORT Length (bytes); USHORT MaximumLength;
 *   PWSTR Buffer} (Buffer at 4, or 8 on 64-bit); OBJECT_ATTRIBUTES {ULONG Length; HANDLE
 *   RootDirectory; PUNICODE_STRING ObjectName; ULONG Attributes; PVOID SecurityDescriptor;
 *   PVOID SecurityQualityOfService} (RootDirectory/ObjectName/Attributes at 4/8/12, or
 *   8/16/24 on 64-bit); IO_STATUS_BLOCK {union {NTSTATUS Status; PVOID Pointer};
 *   ULONG_PTR Information}; LARGE_INTEGER: a signed 64-bit QuadPart.
 * - ACCESS_MASK ("ACCESS_MASK", "File Access Rights Constants", "Standard Access Rights"):
 *   GENERIC_READ 0x80000000, GENERIC_WRITE 0x40000000, GENERIC_EXECUTE 0x20000000,
 *   GENERIC_ALL 0x10000000, MAXIMUM_ALLOWED 0x02000000, ACCESS_SYSTEM_SECURITY 0x01000000,
 *   SYNCHRONIZE 0x00100000, WRITE_OWNER 0x80000, WRITE_DAC 0x40000, READ_CONTROL 0x20000,
 *   DELETE 0x10000; file rights FILE_READ_DATA 1, FILE_WRITE_DATA 2, FILE_APPEND_DATA 4,
 *   FILE_READ_EA 8, FILE_WRITE_EA 0x10, FILE_EXECUTE 0x20, FILE_DELETE_CHILD 0x40,
 *   FILE_READ_ATTRIBUTES 0x80, FILE_WRITE_ATTRIBUTES 0x100.
 * - NtCreateFile / ZwCreateFile (wdm.h): CreateDisposition FILE_SUPERSEDE 0, FILE_OPEN 1,
 *   FILE_CREATE 2, FILE_OPEN_IF 3, FILE_OVERWRITE 4, FILE_OVERWRITE_IF 5; ShareAccess
 *   FILE_SHARE_READ 1, FILE_SHARE_WRITE 2, FILE_SHARE_DELETE 4; CreateOptions
 *   FILE_DIRECTORY_FILE 1, FILE_WRITE_THROUGH 2, FILE_SEQUENTIAL_ONLY 4,
 *   FILE_NO_INTERMEDIATE_BUFFERING 8, FILE_SYNCHRONOUS_IO_ALERT 0x10,
 *   FILE_SYNCHRONOUS_IO_NONALERT 0x20, FILE_NON_DIRECTORY_FILE 0x40,
 *   FILE_CREATE_TREE_CONNECTION 0x80, FILE_COMPLETE_IF_OPLOCKED 0x100,
 *   FILE_NO_EA_KNOWLEDGE 0x200, FILE_OPEN_REMOTE_INSTANCE 0x400, FILE_RANDOM_ACCESS 0x800,
 *   FILE_DELETE_ON_CLOSE 0x1000, FILE_OPEN_BY_FILE_ID 0x2000, FILE_OPEN_FOR_BACKUP_INTENT
 *   0x4000, FILE_NO_COMPRESSION 0x8000, FILE_RESERVE_OPFILTER 0x100000,
 *   FILE_OPEN_REPARSE_POINT 0x200000, FILE_OPEN_NO_RECALL 0x400000,
 *   FILE_OPEN_FOR_FREE_SPACE_QUERY 0x800000; FileAttributes ("File Attribute Constants")
 *   FILE_ATTRIBUTE_READONLY 1, HIDDEN 2, SYSTEM 4, DIRECTORY 0x10, ARCHIVE 0x20, DEVICE 0x40,
 *   NORMAL 0x80, TEMPORARY 0x100, SPARSE_FILE 0x200, REPARSE_POINT 0x400, COMPRESSED 0x800,
 *   OFFLINE 0x1000, NOT_CONTENT_INDEXED 0x2000, ENCRYPTED 0x4000.
 * - OBJECT_ATTRIBUTES.Attributes (InitializeObjectAttributes): OBJ_INHERIT 2, OBJ_PERMANENT
 *   0x10, OBJ_EXCLUSIVE 0x20, OBJ_CASE_INSENSITIVE 0x40, OBJ_OPENIF 0x80, OBJ_OPENLINK 0x100,
 *   OBJ_KERNEL_HANDLE 0x200, OBJ_FORCE_ACCESS_CHECK 0x400.
 * - NTSTATUS: [MS-ERREF] 2.3 (severity in bits 30-31: 3 is an error) and 2.3.1 (values).
 */
import { flags, hex, pointer, readView, type ArgCtx } from './context.js';
import { formatEnum, unsigned, type FlagTable } from './format.js';
import { buffer, entry, exit, type KindDef } from './helpers.js';
import type { ArgInfo, SyscallInfo } from './prototypes.js';

/** [MS-ERREF] 2.3.1: the NTSTATUS values a trace meets most. */
export const NTSTATUS_NAMES: ReadonlyMap<number, string> = new Map([
  [0x00000000, 'STATUS_SUCCESS'],
  [0x00000080, 'STATUS_ABANDONED'],
  [0x000000c0, 'STATUS_USER_APC'],
  [0x00000101, 'STATUS_ALERTED'],
  [0x00000102, 'STATUS_TIMEOUT'],
  [0x00000103, 'STATUS_PENDING'],
  [0x00000104, 'STATUS_REPARSE'],
  [0x00000105, 'STATUS_MORE_ENTRIES'],
  [0x00000106, 'STATUS_NOT_ALL_ASSIGNED'],
  [0x00000107, 'STATUS_SOME_NOT_MAPPED'],
  [0x40000000, 'STATUS_OBJECT_NAME_EXISTS'],
  [0x40000003, 'STATUS_IMAGE_NOT_AT_BASE'],
  [0x80000002, 'STATUS_DATATYPE_MISALIGNMENT'],
  [0x80000003, 'STATUS_BREAKPOINT'],
  [0x80000004, 'STATUS_SINGLE_STEP'],
  [0x80000005, 'STATUS_BUFFER_OVERFLOW'],
  [0x80000006, 'STATUS_NO_MORE_FILES'],
  [0x8000001a, 'STATUS_NO_MORE_ENTRIES'],
  [0xc0000001, 'STATUS_UNSUCCESSFUL'],
  [0xc0000002, 'STATUS_NOT_IMPLEMENTED'],
  [0xc0000003, 'STATUS_INVALID_INFO_CLASS'],
  [0xc0000004, 'STATUS_INFO_LENGTH_MISMATCH'],
  [0xc0000005, 'STATUS_ACCESS_VIOLATION'],
  [0xc0000008, 'STATUS_INVALID_HANDLE'],
  [0xc000000d, 'STATUS_INVALID_PARAMETER'],
  [0xc000000e, 'STATUS_NO_SUCH_DEVICE'],
  [0xc000000f, 'STATUS_NO_SUCH_FILE'],
  [0xc0000010, 'STATUS_INVALID_DEVICE_REQUEST'],
  [0xc0000011, 'STATUS_END_OF_FILE'],
  [0xc0000017, 'STATUS_NO_MEMORY'],
  [0xc0000018, 'STATUS_CONFLICTING_ADDRESSES'],
  [0xc000001c, 'STATUS_INVALID_SYSTEM_SERVICE'],
  [0xc000001d, 'STATUS_ILLEGAL_INSTRUCTION'],
  [0xc0000022, 'STATUS_ACCESS_DENIED'],
  [0xc0000023, 'STATUS_BUFFER_TOO_SMALL'],
  [0xc0000024, 'STATUS_OBJECT_TYPE_MISMATCH'],
  [0xc0000033, 'STATUS_OBJECT_NAME_INVALID'],
  [0xc0000034, 'STATUS_OBJECT_NAME_NOT_FOUND'],
  [0xc0000035, 'STATUS_OBJECT_NAME_COLLISION'],
  [0xc0000039, 'STATUS_OBJECT_PATH_INVALID'],
  [0xc000003a, 'STATUS_OBJECT_PATH_NOT_FOUND'],
  [0xc000003b, 'STATUS_OBJECT_PATH_SYNTAX_BAD'],
  [0xc0000043, 'STATUS_SHARING_VIOLATION'],
  [0xc0000054, 'STATUS_FILE_LOCK_CONFLICT'],
  [0xc0000056, 'STATUS_DELETE_PENDING'],
  [0xc0000061, 'STATUS_PRIVILEGE_NOT_HELD'],
  [0xc000007f, 'STATUS_DISK_FULL'],
  [0xc000009a, 'STATUS_INSUFFICIENT_RESOURCES'],
  [0xc00000ba, 'STATUS_FILE_IS_A_DIRECTORY'],
  [0xc00000bb, 'STATUS_NOT_SUPPORTED'],
  [0xc0000101, 'STATUS_DIRECTORY_NOT_EMPTY'],
  [0xc0000103, 'STATUS_NOT_A_DIRECTORY'],
  [0xc0000120, 'STATUS_CANCELLED'],
  [0xc0000135, 'STATUS_DLL_NOT_FOUND'],
  [0xc0000225, 'STATUS_NOT_FOUND'],
]);

/** NT_ERROR(): severity 3 (bits 30-31 of the 32-bit status). */
export function ntError(status: bigint): boolean {
  return BigInt.asUintN(32, status) >= 0xc0000000n;
}

/** A returned NTSTATUS: `0 STATUS_SUCCESS`, `0xc0000034 STATUS_OBJECT_NAME_NOT_FOUND`, `0xc0001234`. */
export function formatNtStatus(ret: bigint | undefined): string {
  if (ret === undefined) return '?';
  const v = BigInt.asUintN(32, ret);
  const name = NTSTATUS_NAMES.get(Number(v));
  const num = v === 0n ? '0' : hex(v);
  return name ? `${num} ${name}` : num;
}

const bits = (pairs: Array<[number, string]>): FlagTable => ({ bits: pairs });

const ACCESS_GENERIC: Array<[number, string]> = [
  [0x80000000, 'GENERIC_READ'],
  [0x40000000, 'GENERIC_WRITE'],
  [0x20000000, 'GENERIC_EXECUTE'],
  [0x10000000, 'GENERIC_ALL'],
  [0x02000000, 'MAXIMUM_ALLOWED'],
  [0x01000000, 'ACCESS_SYSTEM_SECURITY'],
  [0x00100000, 'SYNCHRONIZE'],
  [0x00080000, 'WRITE_OWNER'],
  [0x00040000, 'WRITE_DAC'],
  [0x00020000, 'READ_CONTROL'],
  [0x00010000, 'DELETE'],
];
/** Generic and standard rights, then the object-specific bits in hex. */
export const ACCESS_MASK_FLAGS = bits(ACCESS_GENERIC);
/** For file objects: the file-specific rights by name too. */
export const FILE_ACCESS_FLAGS = bits([
  ...ACCESS_GENERIC,
  [0x100, 'FILE_WRITE_ATTRIBUTES'],
  [0x80, 'FILE_READ_ATTRIBUTES'],
  [0x40, 'FILE_DELETE_CHILD'],
  [0x20, 'FILE_EXECUTE'],
  [0x10, 'FILE_WRITE_EA'],
  [0x8, 'FILE_READ_EA'],
  [0x4, 'FILE_APPEND_DATA'],
  [0x2, 'FILE_WRITE_DATA'],
  [0x1, 'FILE_READ_DATA'],
]);
export const SHARE_FLAGS = bits([[1, 'FILE_SHARE_READ'], [2, 'FILE_SHARE_WRITE'], [4, 'FILE_SHARE_DELETE']]);
export const CREATE_OPTIONS = bits([
  [0x1, 'FILE_DIRECTORY_FILE'], [0x2, 'FILE_WRITE_THROUGH'], [0x4, 'FILE_SEQUENTIAL_ONLY'], [0x8, 'FILE_NO_INTERMEDIATE_BUFFERING'],
  [0x10, 'FILE_SYNCHRONOUS_IO_ALERT'], [0x20, 'FILE_SYNCHRONOUS_IO_NONALERT'], [0x40, 'FILE_NON_DIRECTORY_FILE'],
  [0x80, 'FILE_CREATE_TREE_CONNECTION'], [0x100, 'FILE_COMPLETE_IF_OPLOCKED'], [0x200, 'FILE_NO_EA_KNOWLEDGE'],
  [0x400, 'FILE_OPEN_REMOTE_INSTANCE'], [0x800, 'FILE_RANDOM_ACCESS'], [0x1000, 'FILE_DELETE_ON_CLOSE'],
  [0x2000, 'FILE_OPEN_BY_FILE_ID'], [0x4000, 'FILE_OPEN_FOR_BACKUP_INTENT'], [0x8000, 'FILE_NO_COMPRESSION'],
  [0x100000, 'FILE_RESERVE_OPFILTER'], [0x200000, 'FILE_OPEN_REPARSE_POINT'], [0x400000, 'FILE_OPEN_NO_RECALL'],
  [0x800000, 'FILE_OPEN_FOR_FREE_SPACE_QUERY'],
]);
export const FILE_ATTRIBUTES = bits([
  [0x1, 'FILE_ATTRIBUTE_READONLY'], [0x2, 'FILE_ATTRIBUTE_HIDDEN'], [0x4, 'FILE_ATTRIBUTE_SYSTEM'], [0x10, 'FILE_ATTRIBUTE_DIRECTORY'],
  [0x20, 'FILE_ATTRIBUTE_ARCHIVE'], [0x40, 'FILE_ATTRIBUTE_DEVICE'], [0x80, 'FILE_ATTRIBUTE_NORMAL'], [0x100, 'FILE_ATTRIBUTE_TEMPORARY'],
  [0x200, 'FILE_ATTRIBUTE_SPARSE_FILE'], [0x400, 'FILE_ATTRIBUTE_REPARSE_POINT'], [0x800, 'FILE_ATTRIBUTE_COMPRESSED'],
  [0x1000, 'FILE_ATTRIBUTE_OFFLINE'], [0x2000, 'FILE_ATTRIBUTE_NOT_CONTENT_INDEXED'], [0x4000, 'FILE_ATTRIBUTE_ENCRYPTED'],
]);
export const OBJ_ATTRIBUTES = bits([
  [0x2, 'OBJ_INHERIT'], [0x10, 'OBJ_PERMANENT'], [0x20, 'OBJ_EXCLUSIVE'], [0x40, 'OBJ_CASE_INSENSITIVE'], [0x80, 'OBJ_OPENIF'],
  [0x100, 'OBJ_OPENLINK'], [0x200, 'OBJ_KERNEL_HANDLE'], [0x400, 'OBJ_FORCE_ACCESS_CHECK'],
]);
export const CREATE_DISPOSITION: ReadonlyMap<number, string> = new Map([
  [0, 'FILE_SUPERSEDE'], [1, 'FILE_OPEN'], [2, 'FILE_CREATE'], [3, 'FILE_OPEN_IF'], [4, 'FILE_OVERWRITE'], [5, 'FILE_OVERWRITE_IF'],
]);

/** Calls whose ACCESS_MASK is a file object's. */
const FILE_CALLS = new Set(['NtCreateFile', 'NtOpenFile', 'NtCreateNamedPipeFile', 'NtCreateMailslotFile']);

/** Word size of a pointer argument (its size as passed). */
const wordOf = (c: ArgCtx): 4 | 8 => (c.size === 8 ? 8 : 4);

/** Whether the call failed (NT_ERROR), at return. */
const failed = (c: ArgCtx): boolean => c.ret !== undefined && ntError(c.ret);

/** UTF-16LE as a C-escaped `L"..."` (at most `max` characters, `...` when cut). */
export function quoteWide(data: Uint8Array, chars: number, max: number): string {
  let out = 'L"';
  const n = Math.min(chars, max);
  for (let i = 0; i < n; i++) {
    const ch = data[2 * i]! | (data[2 * i + 1]! << 8);
    if (ch === 0x5c) out += '\\\\';
    else if (ch === 0x22) out += '\\"';
    else if (ch === 0x0a) out += '\\n';
    else if (ch === 0x09) out += '\\t';
    else if (ch === 0x0d) out += '\\r';
    else if (ch >= 0x20 && ch < 0x7f) out += String.fromCharCode(ch);
    else if (ch < 0x100) out += '\\x' + ch.toString(16).padStart(2, '0');
    else out += '\\u' + ch.toString(16).padStart(4, '0');
  }
  return out + '"' + (chars > max ? '...' : '');
}

/** A UNICODE_STRING at `addr`: `L"..."`, NULL, or the address when unreadable. */
export async function unicodeString(c: ArgCtx, addr: bigint): Promise<string> {
  if (addr === 0n) return 'NULL';
  const w = wordOf(c);
  const v = await readView(c, addr, w === 8 ? 16 : 8);
  if (!v) return hex(addr);
  const len = v.u16(0);
  const buf = w === 8 ? v.u64(8) : BigInt(v.u32(4));
  if (buf === 0n) return len === 0 ? 'L""' : hex(addr);
  const chars = Math.floor(len / 2);
  const shown = Math.min(chars, c.style.strsize);
  const data = shown > 0 ? await c.mem.read(buf, shown * 2) : Buffer.alloc(0);
  if (!data || data.length < shown * 2) return hex(addr);
  return quoteWide(data, chars, c.style.strsize);
}

async function objectAttributes(c: ArgCtx): Promise<string> {
  if (c.v === 0n) return 'NULL';
  const w = wordOf(c);
  const v = await readView(c, c.v, w === 8 ? 48 : 24);
  if (!v) return hex(c.v);
  const word = (off: number): bigint => (w === 8 ? v.u64(off) : BigInt(v.u32(off)));
  const root = word(w);
  const name = word(2 * w);
  const attrs = BigInt(v.u32(3 * w));
  return `{RootDirectory=${pointer(root)}, ObjectName=${await unicodeString(c, name)}, Attributes=${flags(c, attrs, OBJ_ATTRIBUTES)}}`;
}

async function ioStatusBlock(c: ArgCtx): Promise<string> {
  if (c.v === 0n) return 'NULL';
  if (failed(c)) return hex(c.v);
  const w = wordOf(c);
  const v = await readView(c, c.v, 2 * w);
  if (!v) return hex(c.v);
  const status = BigInt(v.u32(0));
  const info = w === 8 ? v.u64(8) : BigInt(v.u32(4));
  const name = NTSTATUS_NAMES.get(Number(status));
  return `{Status=${name ?? hex(status)}, Information=${info}}`;
}

/** IO_STATUS_BLOCK.Information of argument `i` (bytes transferred), or undefined. */
async function transferred(c: ArgCtx, i: number): Promise<number | undefined> {
  const w = wordOf(c);
  const v = await readView(c, c.raw(i), 2 * w);
  if (!v) return undefined;
  return Number(w === 8 ? v.u64(8) : BigInt(v.u32(4)));
}

/** Index of the call's argument named `name`. */
const argIndex = (c: ArgCtx, name: string): number => c.info?.args.findIndex((a) => a.name === name) ?? -1;

export const NT_KINDS: Record<string, KindDef> = {
  nt_handle: entry((c) => pointer(unsigned(c.v, c.size))),
  /** PHANDLE: the handle the call wrote, `[0x7c]`. */
  nt_out_handle: exit(async (c) => {
    if (c.v === 0n) return 'NULL';
    if (failed(c)) return hex(c.v);
    const v = await readView(c, c.v, wordOf(c));
    return v ? `[${hex(wordOf(c) === 8 ? v.u64(0) : BigInt(v.u32(0)))}]` : hex(c.v);
  }),
  nt_access: entry((c) => flags(c, unsigned(c.v, 4), c.info && FILE_CALLS.has(c.info.name) ? FILE_ACCESS_FLAGS : ACCESS_MASK_FLAGS)),
  nt_objattr: entry(objectAttributes, true),
  nt_ustr: entry((c) => unicodeString(c, c.v), true),
  nt_iosb: exit(ioStatusBlock),
  nt_large: entry(async (c) => {
    if (c.v === 0n) return 'NULL';
    const v = await readView(c, c.v, 8);
    return v ? `[${BigInt.asIntN(64, v.u64(0))}]` : hex(c.v);
  }, true),
  nt_status: entry((c) => formatNtStatus(c.v)),
  nt_disposition: entry((c) => formatEnum(unsigned(c.v, 4), CREATE_DISPOSITION, 'FILE_', c.style.xlat)),
  nt_create_options: entry((c) => flags(c, unsigned(c.v, 4), CREATE_OPTIONS)),
  nt_share: entry((c) => flags(c, unsigned(c.v, 4), SHARE_FLAGS)),
  nt_file_attributes: entry((c) => flags(c, unsigned(c.v, 4), FILE_ATTRIBUTES)),
  /** NtWriteFile's Buffer: Length bytes (the next argument). */
  nt_inbuf: entry((c) => buffer(c, c.v, Number(unsigned(c.raw(c.i + 1), 4))), true),
  /** NtReadFile's Buffer: as many bytes as IoStatusBlock.Information says arrived. */
  nt_readbuf: exit(async (c) => {
    if (c.v === 0n) return 'NULL';
    if (failed(c)) return hex(c.v);
    const n = await transferred(c, argIndex(c, 'IoStatusBlock'));
    const len = Number(unsigned(c.raw(c.i + 1), 4));
    return n === undefined ? hex(c.v) : buffer(c, c.v, Math.min(n, len));
  }),
};

/** The NT kind of an argument of a Windows table, or undefined (not an NT type). */
export function ntKindOf(info: SyscallInfo, arg: ArgInfo): string | undefined {
  const t = arg.type;
  if (t === 'HANDLE') return 'nt_handle';
  if (t === 'PHANDLE') return 'nt_out_handle';
  if (t === 'ACCESS_MASK') return 'nt_access';
  if (t === 'POBJECT_ATTRIBUTES') return 'nt_objattr';
  if (t === 'PUNICODE_STRING') return 'nt_ustr';
  if (t === 'PIO_STATUS_BLOCK') return 'nt_iosb';
  if (t === 'PLARGE_INTEGER') return 'nt_large';
  if (t === 'NTSTATUS') return 'nt_status';
  if (t === 'ULONG') {
    if (arg.name === 'CreateDisposition') return 'nt_disposition';
    if (arg.name === 'CreateOptions' || arg.name === 'OpenOptions') return 'nt_create_options';
    if (arg.name === 'ShareAccess') return 'nt_share';
    if (arg.name === 'FileAttributes') return 'nt_file_attributes';
  }
  if (t === 'PVOID' && arg.name === 'Buffer') {
    if (info.name === 'NtReadFile') return 'nt_readbuf';
    if (info.name === 'NtWriteFile') return 'nt_inbuf';
  }
  return undefined;
}

