/**
 * `filereadmon`: which files each address space opened and read, after PANDA's
 * filereadmon plugin (panda/plugins/filereadmon), written with the per-syscall hooks.
 * An open that succeeds names the file behind the returned fd in that address space; reads
 * on it add up; close forgets the fd. Linux only: on Windows the handle comes back through
 * memory the trace does not decode yet. A fork child's reads of inherited fds are missed
 * (its fds are not copied), as in PANDA.
 */
import type { NamedArgs, Plugin, SyscallContext } from '../plugin.js';
import type { BuiltinPlugin } from './builtin.js';

const OPENS = ['open', 'openat', 'openat2', 'creat'];
const READS = ['read', 'pread64', 'readv', 'preadv', 'preadv2'];
const NEEDS = [...OPENS, ...READS, 'close'];

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
  needs: (_o, env) => new Set(NEEDS.filter((n) => env.table.byShortName(n))),
  create(_options, api, env) {
    if (api.profile.os !== 'linux') return { name: 'filereadmon', onStart: () => api.info(`filereadmon: ${api.profile.os} is not supported yet; nothing will be reported`) };
    const open = new Map<string, FileStats>(); // asid:fd -> file
    const stats = new Map<string, FileStats>(); // asid:file -> stats
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
    const plugin: Plugin = {
      name: 'filereadmon',
      onEnd() {
        const rows = [...stats.values()].sort((a, b) => (a.asid === b.asid ? 0 : BigInt(a.asid) < BigInt(b.asid) ? -1 : 1));
        let asid = '';
        for (const s of rows) {
          if (s.asid !== asid) api.out(`filereadmon: asid ${(asid = s.asid)}`);
          api.out(`  ${JSON.stringify(s.file)} opened ${s.opens}, read ${s.reads} times, ${s.bytes} bytes`);
        }
        if (rows.length === 0) api.out('filereadmon: no files opened');
      },
    };
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
