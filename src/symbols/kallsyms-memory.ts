/**
 * Zero-config symbols: the kernel's own kallsyms tables, found by their shape in guest memory
 * at attach, scanning forward from an address inside the running kernel's text (the tables sit
 * in .rodata after it):
 *  - x86_64, i386: the handler of IDT gate 0;
 *  - arm64: VBAR_EL1 (read with `p`), which Linux loads with its relocated `vectors`
 *    (arch/arm64/kernel/head.S __primary_switched);
 *  - arm (no KASLR): PAGE_OFFSET 0xc0000000, where the lowmem mapping starts and the kernel
 *    image lies (arch/arm/Kconfig PAGE_OFFSET for VMSPLIT_3G; TEXT_OFFSET above it);
 *  - mips (KASLR): the pc, once Status.BEV is clear and the pc is in kseg0 (the relocated
 *    kernel runs; see kaslr-mips.ts).
 * The result is the live, KASLR-applied table. It is cached per kernel (keyed by the
 * linux_banner string, found by name or, where kallsyms holds text symbols only, as the
 * "Linux version " string in the scanned .rodata) as a kallsyms file; a later attach places it
 * by the IDT / VBAR / pc and checks the banner at its place.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { GdbClient } from '../gdbstub/client.js';
import { expandSymbols, findDigitRuns, layoutBefore, tokenIndexMatches, tokenTableAt } from './kallsyms-format.js';
import { slideFromMipsCode } from './kaslr-mips.js';
import { gateTarget, parseIdtBase, slideFromIdt } from './kaslr-x86.js';
import type { SymbolContext, SymbolSource } from './source.js';
import { SymbolTable, parseSystemMap } from './system-map.js';

const MiB = 1 << 20;
/** How far past the anchor the tables may lie (text + rodata of a large kernel). */
const SCAN_LIMIT = 96 * MiB;
const WINDOW = 2 * MiB;
/**
 * MIPS: the pc may be in .init.text while the kernel boots, after the tables; a scan that finds
 * none this far gives up and the next stop's pc is tried (reads are slow on QEMU's MIPS stub).
 */
const MIPS_SCAN_LIMIT = 24 * MiB;
/** arch/arm PAGE_OFFSET (VMSPLIT_3G, Debian armhf). */
const ARM_PAGE_OFFSET = 0xc000_0000n;
/** init/version.c linux_banner: "Linux version " UTS_RELEASE ... */
const BANNER_PREFIX = Buffer.from('Linux version ', 'latin1');

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
    const arch = ctx.profile.arch;
    if (!['x86_64', 'i386', 'arm64', 'arm', 'mips'].includes(arch)) {
      throw new Error(`kallsyms recovery from memory is implemented for x86_64, i386, arm64, arm and mips (profile ${ctx.profile.name} is ${arch})`);
    }
    const word = ctx.profile.wordSize;
    let table = await ctx.untilReady(async () => {
      const anchor = await this.anchor(ctx, word);
      if (typeof anchor !== 'bigint') return anchor;
      const cached = await this.fromCache(ctx, anchor);
      if (cached) return cached;
      // Only x86_64 SMP kernels have CONFIG_KALLSYMS_ABSOLUTE_PERCPU (init/Kconfig: default X86_64 && SMP).
      return this.scan(ctx.client, anchor, word, arch === 'x86_64', arch === 'mips' ? anchor : undefined);
    }, 'find the kernel symbol tables in guest memory');
    ctx.info(`kernel symbols: ${table.size} from ${this.origin}`);
    const k = ctx.profile.kaslr;
    if (k?.method === 'mips' && k.symbol) {
      // Data symbols the profile reads out of handle_sys's code (kernelsp), which a kallsyms
      // table without CONFIG_KALLSYMS_ALL lacks. One try at this stop: where it cannot tell,
      // the table is kept as read (and a profile needing kernelsp says it is missing).
      const m = await slideFromMipsCode(ctx.client, table, { symbol: k.symbol, slots: k.gates, align: k.align });
      if ('reason' in m) ctx.info(`${k.symbol}'s code not checked: ${m.reason}`);
      else {
        if (m.slide !== 0n) {
          table = table.withSlide(m.slide);
          ctx.info(`${k.symbol}'s code places the table 0x${m.slide.toString(16)} from where it was read (the unrelocated copy): moved`);
        }
        for (const [name, addr] of Object.entries(m.found)) {
          if (table.lookup(name) !== undefined) continue;
          table.add({ name, addr, type: 'A' });
          ctx.info(`${name} at 0x${addr.toString(16)} (from ${k.symbol}'s code)`);
        }
      }
    }
    return table;
  }

  /** An address inside the running kernel's text (or, on arm, its start). */
  private async anchor(ctx: SymbolContext, word: 4 | 8): Promise<bigint | { reason: string }> {
    const client = ctx.client;
    const arch = ctx.profile.arch;
    if (arch === 'arm64') {
      const reg = ctx.profile.kaslr?.register ?? 'VBAR';
      const vbar = await client.readRegister(reg);
      if (vbar >> 48n !== 0xffffn) return { reason: `${reg} is 0x${vbar.toString(16)}, not a kernel address yet` };
      return vbar;
    }
    if (arch === 'arm') {
      const probe = await client.readMemoryPartial(ARM_PAGE_OFFSET + 0x8000n, 4);
      if (probe.data.length < 4) return { reason: 'the kernel mapping at 0xc0000000 is not set up yet' };
      return ARM_PAGE_OFFSET;
    }
    if (arch === 'mips') {
      const g = await client.readAllRegisters();
      if (g.length < 38 * 4) return { reason: 'short register reply' };
      // QEMU's MIPS layout: r0-r31, then status (32), lo, hi, badvaddr, cause, pc (37).
      const status = g.readUInt32LE(32 * 4);
      const pc = BigInt(g.readUInt32LE(37 * 4));
      if (status & (1 << 22)) return { reason: 'Status.BEV is set: the kernel has not installed its vectors yet' };
      if (pc < 0x8000_0000n || pc >= 0xa000_0000n) return { reason: `pc 0x${pc.toString(16)} is not in the kernel (kseg0)` };
      return pc;
    }
    const base = parseIdtBase(await client.monitor('info registers'));
    if (base === undefined || base === 0n) return { reason: 'no IDT yet' };
    const gate = await client.readMemoryPartial(base, word === 8 ? 16 : 8);
    if (gate.error || gate.data.length < (word === 8 ? 16 : 8)) return { reason: 'IDT not readable' };
    const target = gateTarget(gate.data, word);
    if (target < (word === 8 ? 0xffff_8000_0000_0000n : 0xc000_0000n)) return { reason: 'IDT gate 0 is not in the kernel yet' };
    return target;
  }

  private async scan(client: GdbClient, anchor: bigint, word: 4 | 8, absolutePercpu: boolean, mipsPc?: bigint): Promise<SymbolTable | { reason: string }> {
    const limit = mipsPc === undefined ? SCAN_LIMIT : MIPS_SCAN_LIMIT;
    const start = anchor & ~BigInt(WINDOW - 1);
    // Keep only the last KEEP windows: the tables before a token table span a few MiB.
    const KEEP = 4;
    let parts: Buffer[] = [];
    let bufStart = start;
    let emptyRun = 0;
    let bannerAt: bigint | undefined;
    for (let off = 0; off < limit; off += WINDOW) {
      const { data, readable } = await readRegion(client, start + BigInt(off), WINDOW);
      // Freed gaps (text/rodata padding) read as nothing; three empty windows end the image.
      emptyRun = readable === 0 ? emptyRun + 1 : 0;
      if (emptyRun >= 3) break;
      parts.push(data);
      if (parts.length > KEEP) {
        parts = parts.slice(1);
        bufStart += BigInt(WINDOW);
      }
      const banner = data.indexOf(BANNER_PREFIX);
      if (bannerAt === undefined && banner >= 0) bannerAt = start + BigInt(off + banner);
      const buf = Buffer.concat(parts);
      for (const run of findDigitRuns(buf, Math.max(0, buf.length - WINDOW - 32))) {
        const tt = tokenTableAt(buf, run, word);
        if (!tt || !tokenIndexMatches(buf, tt.start, tt.end, tt.tokens, word)) continue;
        const layout = layoutBefore(buf, tt.start, word);
        if (!layout) continue;
        const syms = expandSymbols(buf, layout, tt.tokens, word, absolutePercpu);
        if (mipsPc !== undefined) {
          // The copy the decompressor left at the link address has unrelocated tables: the
          // relocated kernel's own are those whose text starts at most 32 MiB below the pc.
          const stext = syms.find((x) => x.name === '_stext')?.addr;
          if (stext === undefined || stext > mipsPc || mipsPc - stext > 32n * BigInt(MiB)) continue;
        }
        this.origin = `guest memory (token table at 0x${(bufStart + BigInt(tt.start)).toString(16)}, found in ${off / MiB + 2} MiB scanned)`;
        const t = new SymbolTable('kallsyms in guest memory');
        for (const sym of syms) t.add({ name: sym.name, addr: sym.addr, type: sym.type });
        await this.save(client, t, bannerAt).catch(() => undefined);
        return t;
      }
    }
    return { reason: `no kallsyms tables within ${limit / MiB} MiB of 0x${start.toString(16)}` };
  }

  private async banner(client: GdbClient, at: bigint | undefined): Promise<string | undefined> {
    if (at === undefined) return undefined;
    const { data } = await client.readMemoryPartial(at, 256);
    const nul = data.indexOf(0);
    return nul > 0 ? data.toString('latin1', 0, nul) : undefined;
  }

  private async save(client: GdbClient, t: SymbolTable, seenBanner: bigint | undefined): Promise<void> {
    if (!this.cacheDir) return;
    const at = t.lookup('linux_banner') ?? seenBanner;
    const banner = await this.banner(client, at);
    if (!banner || !banner.startsWith('Linux version ')) return;
    mkdirSync(this.cacheDir, { recursive: true });
    const lines = [`# systrace kallsyms cache; banner_at: ${at!.toString(16)}`, `# systrace kallsyms cache; banner: ${banner.trim()}`];
    for (const s of t.entries()) lines.push(`${s.addr.toString(16).padStart(16, '0')} ${s.type} ${s.name}`);
    writeFileSync(join(this.cacheDir, `${createHash('sha256').update(banner).digest('hex').slice(0, 16)}.kallsyms`), lines.join('\n') + '\n');
  }

  /**
   * The slides that could place a cached table on this boot: from the IDT (x86), VBAR_EL1 =
   * vectors (arm64), none (arm), or the multiples of the alignment that put the pc inside the
   * table's text (mips). Each is checked by the banner at its place.
   */
  private async slides(ctx: SymbolContext, cached: SymbolTable, anchor: bigint): Promise<bigint[]> {
    const k = ctx.profile.kaslr;
    switch (ctx.profile.arch) {
      case 'x86_64':
      case 'i386': {
        if (!k) return [0n];
        const r = await slideFromIdt(ctx.client, cached, { gates: k.gates, align: k.align, wordSize: ctx.profile.wordSize });
        return 'slide' in r ? [r.slide] : [];
      }
      case 'arm64': {
        const v = cached.lookup(k?.symbol ?? 'vectors');
        return v === undefined ? [] : [BigInt.asIntN(64, anchor - v)];
      }
      case 'mips': {
        // The pc is in the relocated kernel (text, or .init.text while it boots, which lies
        // after the tables): slides that put _stext at most 32 MiB below it, highest first, as
        // the image the decompressor left at the link address (same banner) lies lower.
        const lo = cached.lookup('_stext');
        if (lo === undefined) return [];
        const align = k?.align ?? 0x10000n;
        const out: bigint[] = [];
        for (let s = ((anchor - lo) / align) * align; s >= anchor - lo - 32n * BigInt(MiB); s -= align) out.push(s);
        return out;
      }
      default:
        return [0n];
    }
  }

  /** A cached table of this kernel, placed on this boot and checked by its banner. */
  private async fromCache(ctx: SymbolContext, anchor: bigint): Promise<SymbolTable | undefined> {
    if (!this.cacheDir) return undefined;
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
      let bannerAt: bigint;
      try {
        const text = readFileSync(file, 'utf8');
        banner = /^# systrace kallsyms cache; banner: (.*)$/m.exec(text)?.[1] ?? '';
        bannerAt = BigInt('0x' + (/^# systrace kallsyms cache; banner_at: ([0-9a-f]+)$/m.exec(text)?.[1] ?? 'x'));
        cached = parseSystemMap(text, file);
      } catch {
        continue;
      }
      const cands = await this.slides(ctx, cached, anchor);
      for (const slide of cands) {
        const mask = ctx.profile.wordSize === 8 ? 0xffff_ffff_ffff_ffffn : 0xffff_ffffn;
        if ((await this.banner(ctx.client, (bannerAt + slide) & mask))?.trim() !== banner) continue;
        this.origin = `the cache ${file} (same kernel banner; KASLR slide ${slide < 0n ? '-' : ''}0x${(slide < 0n ? -slide : slide).toString(16)})`;
        return slide === 0n ? cached : cached.withSlide(slide);
      }
    }
    return undefined;
  }
}
