/**
 * Helpers shared by the argument kinds: the KindDef shape, string, buffer and iovec
 * printers, the wait status. Printers never throw; unreadable memory prints the address.
 */
import { flags, hex, readView, struct, type ArgCtx, type Printer } from './context.js';
import { quoteBytes, quoteLimited, styled, unsigned } from './format.js';
import { signalName } from './structs.js';
import { O_ACCMODE, O_ACCMODE_NAMES } from './tables/linux-flags.js';
import { openFlagsOf, wordOf, type Arch } from './arch.js';

export interface KindDef {
  /** entry: printed at entry; exit: at return; both: at entry, then again at return (in/out). */
  at: 'entry' | 'exit' | 'both';
  /** Reads guest memory at entry: retried at return when it could not be read. */
  reads?: boolean;
  print: Printer;
}

export const entry = (print: Printer, reads = false): KindDef => ({ at: 'entry', reads, print });
export const exit = (print: Printer): KindDef => ({ at: 'exit', print });
export const both = (print: Printer): KindDef => ({ at: 'both', reads: true, print });

export async function readPath(c: ArgCtx, addr: bigint, max: number): Promise<string> {
  if (addr === 0n) return 'NULL';
  const s = await c.mem.readString(addr, max);
  if (!s) return hex(addr);
  return quoteLimited(s.bytes, max, !s.terminated);
}

export async function readStrArray(c: ArgCtx, countOnly: boolean): Promise<string> {
  const addr = c.v;
  if (addr === 0n) return 'NULL';
  const items: string[] = [];
  const maxItems = countOnly ? 4096 : c.style.strsize;
  const word = wordOf(c.info);
  let more = false;
  // The pointers are read a chunk at a time (a hostile envp of thousands costs tens of
  // round trips, not thousands); a chunk may end early at an unreadable page.
  let chunk: Buffer | null = null;
  let chunkAt = 0;
  for (let i = 0; i <= maxItems; i++) {
    if (!chunk || (i - chunkAt + 1) * word > chunk.length) {
      chunkAt = i;
      chunk = await c.mem.read(addr + BigInt(i * word), Math.min(maxItems + 1 - i, i === 0 ? 16 : 256) * word);
      if (!chunk || chunk.length < word) return i === 0 ? hex(addr) : `[${items.join(', ')}, ...]`;
    }
    const off = (i - chunkAt) * word;
    const ptr = word === 8 ? chunk.readBigUInt64LE(off) : BigInt(chunk.readUInt32LE(off));
    if (ptr === 0n) break;
    if (i === maxItems) {
      more = true;
      break;
    }
    items.push(countOnly ? '' : await readPath(c, ptr, c.style.strsize));
  }
  if (countOnly) return `${hex(addr)} /* ${items.length}${more ? '+' : ''} var${items.length === 1 ? '' : 's'} */`;
  return `[${items.join(', ')}${more ? ', ...' : ''}]`;
}

/** Bytes of a buffer argument, `len` of them, cut at -s. */
export async function buffer(c: ArgCtx, addr: bigint, len: number, hexAll = false): Promise<string> {
  if (addr === 0n) return 'NULL';
  const max = c.style.strsize;
  const b = await c.mem.read(addr, Math.min(len, max + 1));
  if (!b) return hex(addr);
  const shown = b.subarray(0, Math.min(len, max));
  const text = hexAll ? '"' + [...shown].map((x) => '\\x' + x.toString(16).padStart(2, '0')).join('') + '"' : quoteBytes(shown);
  return text + (len > max ? '...' : '');
}

/** An int the kernel wrote back: `[4]`. */
export async function intOut(c: ArgCtx, addr = c.v): Promise<string> {
  return struct(c, 4, (v) => `[${v.i32(0)}]`, addr);
}

export function retOk(c: ArgCtx): boolean {
  return c.ret !== undefined && !c.failed;
}

export function fileFlags(c: ArgCtx, v: bigint, withAccess: boolean): string {
  const acc = O_ACCMODE_NAMES[Number(v & O_ACCMODE)]!;
  const rest = flags({ ...c, style: { ...c.style, xlat: 'abbrev' } }, unsigned(v, 4) & ~O_ACCMODE, openFlagsOf(c.info).table);
  const names = withAccess ? (rest === '0' ? acc : `${acc}|${rest}`) : rest;
  return styled(v === 0n ? '0' : hex(unsigned(v, 4)), names, c.style.xlat);
}

/** iovec array of `count` entries; `budget` bytes of data shown in all (a read's return). */
export async function iovecs(c: ArgCtx, count: number, budget: number): Promise<string> {
  if (c.v === 0n) return 'NULL';
  const shown = Math.min(count, c.style.strsize);
  const v = await readView(c, c.v, 16 * shown);
  if (!v) return hex(c.v);
  const items: string[] = [];
  let left = budget;
  for (let i = 0; i < shown; i++) {
    const base = v.u64(16 * i);
    const len = v.u64(16 * i + 8);
    const n = Math.max(0, Math.min(Number(len), left));
    left -= n;
    items.push(`{iov_base=${await buffer(c, base, n)}, iov_len=${len}}`);
  }
  return `[${items.join(', ')}${count > shown ? ', ...' : ''}]`;
}

/** strace's wait status notation (strace src/wait.c printstatus). */
export function waitStatus(s: number, arch?: Arch): string {
  const sig = s & 0x7f;
  if (sig === 0) return `{WIFEXITED(s) && WEXITSTATUS(s) == ${(s >> 8) & 0xff}}`;
  if (sig === 0x7f) return `{WIFSTOPPED(s) && WSTOPSIG(s) == ${signalName((s >> 8) & 0xff, arch)}}`;
  const core = s & 0x80 ? ' && WCOREDUMP(s)' : '';
  return `{WIFSIGNALED(s) && WTERMSIG(s) == ${signalName(sig, arch)}${core}}`;
}

