/**
 * `filereadmon`: which files each address space opened and read, after PANDA's
 * filereadmon plugin (panda/plugins/filereadmon), written with the per-syscall hooks.
 * An open that succeeds names the file behind the returned fd in that address space; reads
 * on it add up; close forgets the fd. A fork child's reads of inherited fds are missed
 * (its fds are not copied), as in PANDA.
 *
 * Windows (the example of PANDA's README): NtCreateFile/NtOpenFile name the file behind the
 * handle they write back (OBJECT_ATTRIBUTES.ObjectName and the `[handle]` the trace decodes at
 * return, src/decode/nt.ts); each NtReadFile that succeeds prints a line with the handle, its
 * file, the buffer, the length asked for and the bytes read (IO_STATUS_BLOCK.Information);
 * NtClose forgets the handle. A call succeeded unless its NTSTATUS is an error (NT_ERROR).
 */
import { ntError } from '../../decode/nt.js';
import type { NamedArgs, Plugin, PluginApi, SyscallContext } from '../plugin.js';
import { unquote } from '../args.js';
import type { BuiltinPlugin } from './builtin.js';

const OPENS = ['open', 'openat', 'openat2', 'creat'];
const READS = ['read', 'pread64', 'readv', 'preadv', 'preadv2'];
const NEEDS = [...OPENS, ...READS, 'close'];
const NT_OPENS = ['NtCreateFile', 'NtOpenFile'];
const NT_NEEDS = [...NT_OPENS, 'NtReadFile', 'NtClose'];

interface FileStats {
  asid: string;
  file: string;
  opens: number;
  reads: number;
  bytes: bigint;
}

export const filereadmon: BuiltinPlugin = {
  name: 'filereadmon',
  summary: 'files opened and read, per address space (PANDA filereadmon)',
  options: {},
  needs: (_o, env) => new Set([...NEEDS, ...NT_NEEDS].filter((n) => env.table.byShortName(n))),
  create(_options, api, env) {
    const stats = new Map<string, FileStats>(); // asid:file -> stats
    const report: Plugin['onEnd'] = () => {
      const rows = [...stats.values()].sort((a, b) => (a.asid === b.asid ? 0 : BigInt(a.asid) < BigInt(b.asid) ? -1 : 1));
      let asid = '';
      for (const s of rows) {
        if (s.asid !== asid) api.out(`filereadmon: asid ${(asid = s.asid)}`);
        api.out(`  ${JSON.stringify(s.file)} opened ${s.opens}, read ${s.reads} times, ${s.bytes} bytes`);
      }
      if (rows.length === 0) api.out('filereadmon: no files opened');
    };
    if (api.profile.os === 'windows') return windows(api, stats, report);
    const open = new Map<string, FileStats>(); // asid:fd -> file
    const key = (ctx: SyscallContext, fd: bigint): string => `${ctx.event.asid}:${fd}`;
    const onOpen = (args: NamedArgs, ctx: SyscallContext): void => {
      const name = args.filename ?? args.pathname;
      if (ctx.ret === undefined || ctx.ret < 0n || !name || typeof name.value !== 'string') return;
      const k = `${ctx.event.asid}:${name.value}`;
      let s = stats.get(k);
      if (!s) stats.set(k, (s = { asid: ctx.event.asid, file: name.value, opens: 0, reads: 0, bytes: 0n }));
      s.opens++;
      open.set(key(ctx, ctx.ret), s);
    };
    const onRead = (args: NamedArgs, ctx: SyscallContext): void => {
      const fd = args.fd;
      if (!fd || ctx.ret === undefined || ctx.ret < 0n) return;
      const s = open.get(key(ctx, fd.raw));
      if (!s) return;
      s.reads++;
      s.bytes += ctx.ret;
    };
    const plugin: Plugin = { name: 'filereadmon', onEnd: report };
    for (const n of OPENS) {
      const info = env.table.byShortName(n);
      if (info) plugin[`on_${info.fn}_return`] = (_cpu: number, _pc: bigint, args: NamedArgs, ctx: SyscallContext) => onOpen(args, ctx);
    }
    for (const n of READS) {
      const info = env.table.byShortName(n);
      if (info) plugin[`on_${info.fn}_return`] = (_cpu: number, _pc: bigint, args: NamedArgs, ctx: SyscallContext) => onRead(args, ctx);
    }
    const close = env.table.byShortName('close');
    if (close) {
      plugin[`on_${close.fn}_return`] = (_cpu: number, _pc: bigint, args: NamedArgs, ctx: SyscallContext) => {
        if (args.fd && ctx.ret === 0n) open.delete(key(ctx, args.fd.raw));
      };
    }
    return plugin;
  },
};

/** The file name in an OBJECT_ATTRIBUTES as the trace printed it (`ObjectName=L"..."`). */
export function objectName(text: string | undefined): string | undefined {
  const m = text === undefined ? null : /ObjectName=L("(?:[^"\\]|\\.)*")/.exec(text);
  return m ? unquote(m[1]!)?.value : undefined;
}

/** A value the trace printed as `[0x7c]` or `{..., Information=23}`. */
const bracketed = (text: string | undefined): bigint | undefined => {
  const m = text === undefined ? null : /^\[(0x[0-9a-f]+|\d+)\]$/.exec(text);
  return m ? BigInt(m[1]!) : undefined;
};
const information = (text: string | undefined): bigint | undefined => {
  const m = text === undefined ? null : /Information=(\d+)\}$/.exec(text);
  return m ? BigInt(m[1]!) : undefined;
};

/** filereadmon on Windows: handles from NtCreateFile/NtOpenFile, a line per NtReadFile. */
function windows(api: PluginApi, stats: Map<string, FileStats>, report: Plugin['onEnd']): Plugin {
  const open = new Map<string, FileStats>(); // asid:handle -> file
  const ok = (ctx: SyscallContext): boolean => ctx.ret !== undefined && !ntError(ctx.ret);
  const key = (ctx: SyscallContext, h: bigint): string => `${ctx.event.asid}:${h}`;
  const plugin: Plugin = { name: 'filereadmon', onEnd: report };
  for (const fn of NT_OPENS) {
    plugin[`on_${fn}_return`] = (_cpu: number, _pc: bigint, args: NamedArgs, ctx: SyscallContext) => {
      const file = objectName(args.ObjectAttributes?.text);
      const handle = bracketed(args.FileHandle?.text);
      if (!ok(ctx) || file === undefined || handle === undefined) return;
      const k = `${ctx.event.asid}:${file}`;
      let s = stats.get(k);
      if (!s) stats.set(k, (s = { asid: ctx.event.asid, file, opens: 0, reads: 0, bytes: 0n }));
      s.opens++;
      open.set(key(ctx, handle), s);
    };
  }
  plugin.on_NtReadFile_return = (_cpu: number, _pc: bigint, args: NamedArgs, ctx: SyscallContext) => {
    const handle = args.FileHandle?.raw;
    if (handle === undefined || !ok(ctx)) return;
    const got = information(args.IoStatusBlock?.text);
    const s = open.get(key(ctx, handle));
    const buf = args.Buffer;
    api.out(
      `filereadmon: NtReadFile asid ${ctx.event.asid} handle 0x${handle.toString(16)} (${s ? JSON.stringify(s.file) : 'unknown file'}) ` +
        `buffer 0x${(buf?.raw ?? 0n).toString(16)} length ${args.Length?.raw ?? '?'}: ${got ?? '?'} bytes ${buf?.text ?? ''}`.trimEnd(),
    );
    if (!s) return;
    s.reads++;
    s.bytes += got ?? 0n;
  };
  plugin.on_NtClose_return = (_cpu: number, _pc: bigint, args: NamedArgs, ctx: SyscallContext) => {
    if (args.Handle && ok(ctx)) open.delete(key(ctx, args.Handle.raw));
  };
  return plugin;
}
