/**
 * Zero-config symbols: the kernel's own kallsyms tables, found by their shape in guest memory
 * at attach (x86_64: starting from an IDT gate, which points into the kernel's text; the tables
 * sit in .rodata after it). The result is the live, KASLR-applied table. It is cached per
 * kernel (keyed by the linux_banner string) as a kallsyms file, so a later attach places it
 * with the IDT in a moment instead of scanning.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { GdbClient } from '../gdbstub/client.js';
import { expandSymbols, findDigitRuns, layoutBefore, tokenIndexMatches, tokenTableAt } from './kallsyms-format.js';
import { gateTarget, parseIdtBase, slideFromIdt } from './kaslr-x86.js';
import type { SymbolContext, SymbolSource } from './source.js';
import { SymbolTable, parseSystemMap } from './system-map.js';

const MiB = 1 << 20;
/** How far past the anchor the tables may lie (text + rodata of a large kernel). */
const SCAN_LIMIT = 96 * MiB;
const WINDOW = 2 * MiB;

export function defaultCacheDir(): string {
  return process.env.SYSTRACE_CACHE_DIR ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'systrace', 'kallsyms');
}

/** Reads [addr, addr+len) with unreadable chunks as zeros; counts what could be read. */
async function readRegion(client: GdbClient, addr: bigint, len: number): Promise<{ data: Buffer; readable: number }> {
  const out = Buffer.alloc(len);
  let readable = 0;
  const step = client.maxMemoryChunk;
  for (let off = 0; off < len; off += step) {
    const n = Math.min(step, len - off);
    const { data } = await client.readMemoryPartial(addr + BigInt(off), n);
    data.copy(out, off);
    readable += data.length;
  }
  return { data: out, readable };
}

export class MemorySymbolSource implements SymbolSource {
  readonly description = "the kernel's kallsyms tables in guest memory";
  /** Where the table came from, once resolved (for messages). */
  origin = '';

  constructor(private readonly cacheDir: string | null = defaultCacheDir()) {}

  missing(): string[] {
    return []; // cannot tell before the guest is read
  }

  async resolve(ctx: SymbolContext): Promise<SymbolTable> {
    if (ctx.profile.arch !== 'x86_64' && ctx.profile.arch !== 'i386') {
      throw new Error(`kallsyms recovery from memory is implemented for x86_64 and i386 only (profile ${ctx.profile.name})`);
    }
    const word = ctx.profile.wordSize;
    const table = await ctx.untilReady(async () => {
      const anchor = await this.anchor(ctx.client, word);
      if (typeof anchor !== 'bigint') return anchor;
      const cached = await this.fromCache(ctx);
      if (cached) return cached;
      return this.scan(ctx.client, anchor, word);
    }, 'find the kernel symbol tables in guest memory');
    ctx.info(`kernel symbols: ${table.size} from ${this.origin}`);
    return table;
  }

  /** An address inside the kernel's text: the handler of IDT vector 0. */
  private async anchor(client: GdbClient, word: 4 | 8): Promise<bigint | { reason: string }> {
    const base = parseIdtBase(await client.monitor('info registers'));
    if (base === undefined || base === 0n) return { reason: 'no IDT yet' };
    const gate = await client.readMemoryPartial(base, word === 8 ? 16 : 8);
    if (gate.error || gate.data.length < (word === 8 ? 16 : 8)) return { reason: 'IDT not readable' };
    const target = gateTarget(gate.data, word);
    if (target < (word === 8 ? 0xffff_8000_0000_0000n : 0xc000_0000n)) return { reason: 'IDT gate 0 is not in the kernel yet' };
    return target;
  }

  private async scan(client: GdbClient, anchor: bigint, word: 4 | 8): Promise<SymbolTable | { reason: string }> {
    const start = anchor & ~BigInt(WINDOW - 1);
    // Keep only the last KEEP windows: the tables before a token table span a few MiB.
    const KEEP = 4;
    let parts: Buffer[] = [];
    let bufStart = start;
    let emptyRun = 0;
    for (let off = 0; off < SCAN_LIMIT; off += WINDOW) {
      const { data, readable } = await readRegion(client, start + BigInt(off), WINDOW);
      // Freed gaps (text/rodata padding) read as nothing; three empty windows end the image.
      emptyRun = readable === 0 ? emptyRun + 1 : 0;
      if (emptyRun >= 3) break;
      parts.push(data);
      if (parts.length > KEEP) {
        parts = parts.slice(1);
        bufStart += BigInt(WINDOW);
      }
      const buf = Buffer.concat(parts);
      for (const run of findDigitRuns(buf, Math.max(0, buf.length - WINDOW - 32))) {
        const tt = tokenTableAt(buf, run);
        if (!tt || !tokenIndexMatches(buf, tt.start, tt.end, tt.tokens, word)) continue;
        const layout = layoutBefore(buf, tt.start, word);
        if (!layout) continue;
        const syms = expandSymbols(buf, layout, tt.tokens, word, word === 8);
        this.origin = `guest memory (token table at 0x${(bufStart + BigInt(tt.start)).toString(16)}, found in ${off / MiB + 2} MiB scanned)`;
        const t = new SymbolTable('kallsyms in guest memory');
        for (const sym of syms) t.add({ name: sym.name, addr: sym.addr, type: sym.type });
        await this.save(client, t).catch(() => undefined);
        return t;
      }
    }
    return { reason: `no kallsyms tables within ${SCAN_LIMIT / MiB} MiB of 0x${start.toString(16)}` };
  }

  private async banner(client: GdbClient, t: SymbolTable): Promise<string | undefined> {
    const at = t.lookup('linux_banner');
    if (at === undefined) return undefined;
    const { data } = await client.readMemoryPartial(at, 256);
    const nul = data.indexOf(0);
    return nul > 0 ? data.toString('latin1', 0, nul) : undefined;
  }

  private async save(client: GdbClient, t: SymbolTable): Promise<void> {
    if (!this.cacheDir) return;
    const banner = await this.banner(client, t);
    if (!banner) return;
    mkdirSync(this.cacheDir, { recursive: true });
    const lines = [`# systrace kallsyms cache; banner: ${banner.trim()}`];
    for (const s of t.entries()) lines.push(`${s.addr.toString(16).padStart(16, '0')} ${s.type} ${s.name}`);
    writeFileSync(join(this.cacheDir, `${createHash('sha256').update(banner).digest('hex').slice(0, 16)}.kallsyms`), lines.join('\n') + '\n');
  }

  /** A cached table of this kernel, placed on this boot by the IDT and checked by its banner. */
  private async fromCache(ctx: SymbolContext): Promise<SymbolTable | undefined> {
    if (!this.cacheDir || !ctx.profile.kaslr) return undefined;
    let files: string[];
    try {
      files = readdirSync(this.cacheDir).filter((f) => f.endsWith('.kallsyms'));
    } catch {
      return undefined;
    }
    for (const f of files) {
      const file = join(this.cacheDir, f);
      let cached: SymbolTable;
      let banner: string;
      try {
        const text = readFileSync(file, 'utf8');
        banner = /^# systrace kallsyms cache; banner: (.*)$/m.exec(text)?.[1] ?? '';
        cached = parseSystemMap(text, file);
      } catch {
        continue;
      }
      const k = ctx.profile.kaslr;
      const r = await slideFromIdt(ctx.client, cached, { gates: k.gates, align: k.align, wordSize: ctx.profile.wordSize });
      if (!('slide' in r)) continue;
      const placed = cached.withSlide(r.slide);
      if ((await this.banner(ctx.client, placed))?.trim() !== banner) continue;
      this.origin = `the cache ${file} (same kernel banner; KASLR slide from the IDT)`;
      return placed;
    }
    return undefined;
  }
}
