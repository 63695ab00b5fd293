/**
 * Kinds for the less common calls (strace src/sched.c, sysinfo.c, ipc_*.c, xattr.c,
 * inotify.c, time.c, utimes.c, mknod.c): credentials out, scheduling, SysV semaphores and
 * messages, xattrs, timers, utimensat's times, mknod's mode and device.
 */
import { flags, hex, pointer, readView, struct, xval, type ArgCtx } from './context.js';
import { signed, styled, unsigned } from './format.js';
import { buffer, entry, exit, readPath, retOk, type KindDef } from './helpers.js';

const readPathArg = (c: ArgCtx): Promise<string> => readPath(c, c.v, c.style.strsize);
import * as S from './structs.js';
import * as M from './tables/linux-misc.js';
import { timespecWordOf } from './arch.js';

/** `[0]`: an int the call wrote (getresuid, getcpu, timer_create, sched_getparam). */
const intOut = exit((c) => (retOk(c) && c.v !== 0n ? struct(c, 4, (v) => `[${v.i32(0)}]`) : pointer(c.v)));

function sysinfo(v: import('./view.js').View): string {
  const u = (o: number): bigint => v.u64(o);
  return `{uptime=${v.i64(0)}, loads=[${u(8)}, ${u(16)}, ${u(24)}], totalram=${u(32)}, freeram=${u(40)}, sharedram=${u(48)}, bufferram=${u(56)}, totalswap=${u(64)}, freeswap=${u(72)}, procs=${v.u16(80)}, totalhigh=${u(88)}, freehigh=${u(96)}, mem_unit=${v.u32(104)}}`;
}

async function cpuset(c: ArgCtx, at: bigint, bytes: number): Promise<string> {
  const v = await readView(c, at, bytes);
  if (!v) return hex(at);
  const cpus: number[] = [];
  for (let i = 0; i < bytes * 8; i++) if ((v.buf[i >> 3]! >> (i & 7)) & 1) cpus.push(i);
  return `[${cpus.join(' ')}]`;
}

/** One utimensat time: `UTIME_NOW`, or the time with its ISO comment. */
function utime(c: ArgCtx, v: import('./view.js').View, off: number, w: 4 | 8 = 8): string {
  const sec = w === 4 ? BigInt(v.i32(off)) : v.i64(off);
  const ns = w === 4 ? BigInt(v.i32(off + 4)) : v.i64(off + 8);
  // strace prints a special time by its name alone (print_timespec_t_utime), the struct with -X.
  const special = M.UTIME_SPECIAL.get(Number(ns));
  if (special) return c.style.xlat === 'abbrev' ? special : `{tv_sec=${sec}, tv_nsec=${ns}}${c.style.xlat === 'verbose' ? ` /* ${special} */` : ''}`;
  // The ISO comment stays under -X raw (strace prints it whatever the style).
  return `{tv_sec=${sec}, tv_nsec=${ns}}${sec === 0n && ns === 0n ? '' : ` /* ${S.isoTime(sec, ns === 0n ? undefined : ns)} */`}`;
}

/** A signed 64-bit offset pointer in and out: `[0]`, NULL. */
const offPtr = entry((c) => (c.v === 0n ? 'NULL' : struct({ ...c, ret: undefined }, 8, (v) => `[${v.i64(0)}]`)), true);

export const MORE_KINDS: Record<string, KindDef> = {
  int_out: intOut,
  sysinfo_out: exit((c) => struct(c, 112, (v) => sysinfo(v))),
  sched_policy: entry((c) => xval(c, unsigned(c.v, 4), M.SCHED_POLICIES, 'SCHED_')),
  cpuset_in: entry((c) => (c.v === 0n ? 'NULL' : cpuset(c, c.v, Math.min(Number(unsigned(c.raw(c.i - 1), 4)), 1024))), true),
  mlockall_flags: entry((c) => flags(c, unsigned(c.v, 4), M.MLOCKALL_FLAGS)),
  falloc_flags: entry((c) => flags(c, unsigned(c.v, 4), M.FALLOC_FLAGS)),
  sync_range_flags: entry((c) => flags(c, unsigned(c.v, 4), M.SYNC_FILE_RANGE_FLAGS)),
  xattr_flags: entry((c) => flags(c, unsigned(c.v, 4), M.XATTR_FLAGS)),
  /** An xattr value in: bytes, as many as the next argument says. */
  xattr_in: entry((c) => buffer(c, c.v, Number(unsigned(c.raw(c.i + 1), 8))), true),
  /** An xattr value or name list out: as many bytes as the call returned. */
  xattr_out: exit((c) => (retOk(c) && c.ret! > 0n ? buffer(c, c.v, Number(c.ret)) : pointer(c.v))),
  splice_flags: entry((c) => flags(c, unsigned(c.v, 4), M.SPLICE_FLAGS)),
  off_ptr: offPtr,
  reboot_magic1: entry((c) => xval(c, unsigned(c.v, 4), M.REBOOT_MAGIC1, 'LINUX_REBOOT_MAGIC_')),
  reboot_magic2: entry((c) => xval(c, unsigned(c.v, 4), M.REBOOT_MAGIC2, 'LINUX_REBOOT_MAGIC_')),
  reboot_cmd: entry((c) => xval(c, unsigned(c.v, 4), M.REBOOT_CMDS, 'LINUX_REBOOT_CMD_')),
  /** reboot's argument: the command string of RESTART2 only. */
  reboot_arg: entry((c) => (unsigned(c.raw(2), 4) === 0xa1b2c3d4n ? readPathArg(c) : null), true),
  /** _llseek's result: the new offset the kernel wrote. */
  llseek_result: exit((c) => (retOk(c) ? struct(c, 8, (v) => `[${v.i64(0)}]`) : pointer(c.v))),
  inotify_init_flags: entry((c) => flags(c, unsigned(c.v, 4), M.INOTIFY_INIT_FLAGS)),
  inotify_mask: entry((c) => flags(c, unsigned(c.v, 4), M.INOTIFY_MASK)),
  sigevent: entry((c) =>
    struct(c, 64, (v) => {
      const parts: string[] = [];
      const value = v.u64(0);
      if (value !== 0n) parts.push(`sigev_value={sival_int=${v.i32(0)}, sival_ptr=${hex(value)}}`);
      const signo = v.i32(8);
      const notify = v.i32(12);
      parts.push(`sigev_signo=${signo === 0 ? '0' : styled(String(signo), S.signalName(signo, S.signalArch(c)), c.style.xlat)}`, `sigev_notify=${xval(c, BigInt(notify), M.SIGEV_NOTIFY, 'SIGEV_')}`);
      if (notify === 4) parts.push(`sigev_notify_thread_id=${v.i32(16)}`);
      if (notify === 2) parts.push(`sigev_notify_function=${pointer(v.u64(16))}`, `sigev_notify_attributes=${pointer(v.u64(24))}`);
      return `{${parts.join(', ')}}`;
    }), true),
  sembufs: entry((c) => {
    const n = Number(unsigned(c.raw(c.i + 1), 4));
    const shown = Math.min(n, c.style.strsize);
    return struct(c, 6 * shown, (v) => {
      const items: string[] = [];
      for (let i = 0; i < shown; i++) {
        const o = 6 * i;
        items.push(`{sem_num=${v.u16(o)}, sem_op=${v.buf.readInt16LE(o + 2)}, sem_flg=${flags(c, BigInt(v.u16(o + 4)), M.SEM_FLAGS)}}`);
      }
      return `[${items.join(', ')}${n > shown ? ', ...' : ''}]`;
    });
  }, true),
  semctl_cmd: entry((c) => xval(c, unsigned(c.v, 4) & ~0x100n, M.SEMCTL_CMDS, 'SEM_')),
  msgctl_cmd: entry((c) => xval(c, unsigned(c.v, 4) & ~0x100n, M.MSGCTL_CMDS, 'MSG_')),
  ipc_flags: entry((c) => flags(c, unsigned(c.v, 4), M.MSG_IPC_FLAGS)),
  /** A msgbuf: mtype and, for msgsnd at entry and msgrcv at return, msgsz bytes of text. */
  msgbuf_in: entry((c) => struct(c, 8, async (v) => `{mtype=${v.i64(0)}, mtext=${await buffer(c, c.v + 8n, Number(unsigned(c.raw(c.i + 1), 8)))}}`), true),
  msgbuf_out: exit((c) => (retOk(c) ? struct(c, 8, async (v) => `{mtype=${v.i64(0)}, mtext=${await buffer(c, c.v + 8n, Number(unsigned(c.raw(c.i + 1), 8)))}}`) : pointer(c.v))),
  utimes: entry((c) => {
    const w = timespecWordOf(c.info);
    return struct(c, 4 * w, (v) => `[${utime(c, v, 0, w)}, ${utime(c, v, 2 * w, w)}]`);
  }, true),
  /** mknod's mode: the file type by name (`S_IFIFO|0600`). */
  mknod_mode: entry((c) => S.fileMode(c, Number(unsigned(c.v, 4)))),
  /** mknod's device, printed for character and block devices only. */
  mknod_dev: entry((c) => {
    const type = Number(unsigned(c.raw(c.i - 1), 4)) & M.S_IFMT;
    return type === 0o20000 || type === 0o60000 ? S.makedev(unsigned(c.v, 8)) : null;
  }),
  /** A gid_t list of as many entries as the first argument. */
  gids_in: entry((c) => {
    if (c.v === 0n) return 'NULL';
    const n = Math.min(Number(signed(c.raw(0), 4)), c.style.strsize);
    return struct(c, 4 * n, (v) => `[${Array.from({ length: n }, (_, i) => v.u32(4 * i)).join(', ')}]`);
  }, true),
  gids_out: exit((c) => {
    if (c.v === 0n) return 'NULL';
    if (!retOk(c)) return hex(c.v);
    const n = Math.min(Number(c.ret), c.style.strsize);
    return struct(c, 4 * n, (v) => `[${Array.from({ length: n }, (_, i) => v.u32(4 * i)).join(', ')}]`);
  }),
};
