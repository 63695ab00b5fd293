/**
 * Socket argument kinds (strace src/net.c, sockaddr.c, msghdr.c): families, types,
 * protocols by family, socket options, addresses in and out, message headers.
 */
import { flags, hex, pointer, readView, struct, xval, type ArgCtx } from './context.js';
import { unsigned } from './format.js';
import { both, buffer, entry, exit, intOut, iovecs, retOk, type KindDef } from './helpers.js';
import { sockaddr } from './structs.js';
import * as N from './tables/linux-net.js';

async function addr(c: ArgCtx, at: bigint, len: number): Promise<string> {
  if (at === 0n) return 'NULL';
  const v = await readView(c, at, Math.min(Math.max(len, 0), 128));
  return v ? sockaddr(c, v, Math.min(len, 128)) : hex(at);
}

function optName(c: ArgCtx, level: bigint, name: bigint): string {
  if (level === 1n) return xval(c, name, N.SOL_SOCKET_OPTIONS, 'SO_');
  if (level === 6n) return xval(c, name, N.TCP_OPTIONS, 'TCP_');
  return name.toString();
}

async function optVal(c: ArgCtx, at: bigint, len: number): Promise<string> {
  if (at === 0n) return 'NULL';
  if (len === 4) return intOut({ ...c, ret: undefined }, at);
  return buffer(c, at, len);
}

async function msghdr(c: ArgCtx, budget: number): Promise<string> {
  return struct(c, 56, async (v) => {
    const name = v.u64(0);
    const namelen = v.u32(8);
    const iovlen = Number(v.u64(24));
    const iov = await iovecs({ ...c, v: v.u64(16), raw: (j) => (j === c.i + 1 ? BigInt(iovlen) : c.raw(j)), i: c.i }, iovlen, budget);
    const control = v.u64(40) === 0n ? '' : `msg_control=${pointer(v.u64(32))}, `;
    return `{msg_name=${name === 0n ? 'NULL' : await addr(c, name, namelen)}, msg_namelen=${namelen}, msg_iov=${iov}, msg_iovlen=${iovlen}, ${control}msg_controllen=${v.u64(40)}, msg_flags=${flags(c, BigInt(v.u32(48)), N.MSG_FLAGS)}}`;
  });
}

export const NET_KINDS: Record<string, KindDef> = {
  af: entry((c) => xval(c, unsigned(c.v, 4), N.ADDRESS_FAMILIES, 'AF_')),
  socktype: entry((c) => {
    // strace prints the type and the flags as two constants: `0x1|0x80000` under -X raw.
    const v = unsigned(c.v, 4);
    const type = xval(c, v & 0xfn, N.SOCK_TYPES, 'SOCK_');
    return v & ~0xfn ? `${type}|${flags(c, v & ~0xfn, N.SOCK_TYPE_FLAGS)}` : type;
  }),
  /** The protocol, named for AF_INET and AF_INET6 sockets. */
  sockproto: entry((c) => {
    const fam = unsigned(c.raw(0), 4);
    const p = unsigned(c.v, 4);
    if (fam === 2n || fam === 10n) return xval(c, p, N.INET_PROTOCOLS, 'IPPROTO_');
    if (fam === 16n) return xval(c, p, N.NETLINK_PROTOCOLS, 'NETLINK_');
    return p.toString();
  }),
  sockopt_level: entry((c) => xval(c, unsigned(c.v, 4), N.SOCKET_LEVELS, 'SOL_')),
  sockopt_name: entry((c) => optName(c, unsigned(c.raw(c.i - 1), 4), unsigned(c.v, 4))),
  sockopt_in: entry((c) => optVal(c, c.v, Number(unsigned(c.raw(c.i + 1), 4))), true),
  sockopt_out: exit(async (c) => {
    if (!retOk(c)) return pointer(c.v);
    const len = await readView(c, c.raw(c.i + 1), 4);
    return len ? optVal(c, c.v, len.i32(0)) : hex(c.v);
  }),
  /** An address in, its length in the next argument. */
  sockaddr_in: entry((c) => addr(c, c.v, Number(unsigned(c.raw(c.i + 1), 4))), true),
  /** An address the kernel wrote, its length behind the pointer in the next argument. */
  sockaddr_out: exit(async (c) => {
    if (c.v === 0n) return 'NULL';
    if (!retOk(c)) return hex(c.v);
    const len = await readView(c, c.raw(c.i + 1), 4);
    return len ? addr(c, c.v, len.i32(0)) : hex(c.v);
  }),
  /** A socklen_t in and out: `[16]`, `[128 => 16]`. */
  socklen_inout: both(async (c) => {
    if (c.v === 0n) return 'NULL';
    const now = await struct({ ...c, ret: undefined }, 4, (v) => String(v.i32(0)));
    if (c.ret === undefined || c.entry === undefined) return now.startsWith('0x') ? now : `[${now}]`;
    const before = c.entry.replace(/^\[|\]$/g, '');
    return !retOk(c) || before === now ? c.entry : `[${before} => ${now}]`;
  }),
  socktype_flags: entry((c) => flags(c, unsigned(c.v, 4), N.SOCK_TYPE_FLAGS)),
  msg_flags: entry((c) => flags(c, unsigned(c.v, 4), N.MSG_FLAGS)),
  msghdr_in: entry((c) => msghdr(c, Infinity), true),
  msghdr_out: exit((c) => (retOk(c) ? msghdr(c, Number(c.ret)) : pointer(c.v))),
  shutdown_how: entry((c) => xval(c, unsigned(c.v, 4), N.SHUTDOWN_MODES, 'SHUT_')),
  sockfds_out: exit((c) => (retOk(c) ? struct(c, 8, (v) => `[${v.i32(0)}, ${v.i32(4)}]`) : pointer(c.v))),
};
