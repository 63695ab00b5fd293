/**
 * Where kernel symbols come from. A source turns whatever it has (a file, the guest's own
 * memory...) into the live symbol table of the running kernel, KASLR applied. The session
 * asks its source once at attach and never cares which kind it is.
 */
import type { GdbClient } from '../gdbstub/client.js';
import type { Profile } from '../profile/profile.js';
import { UserError } from '../util/errors.js';
import { slideFromIdt } from './kaslr-x86.js';
import { slideFromMipsCode } from './kaslr-mips.js';
import { slideFromVbar } from './kaslr-vbar.js';
import type { SymbolTable } from './system-map.js';

export interface SymbolContext {
  client: GdbClient;
  profile: Profile;
  info: (msg: string) => void;
  /**
   * Runs `probe` with the guest stopped, letting the guest boot a little between tries, until
   * it returns a value; `{reason}` means "not yet". Fails with the last reason at the deadline.
   */
  untilReady<T>(probe: () => Promise<T | { reason: string }>, what: string): Promise<T>;
}

export interface SymbolSource {
  /** For messages: where the symbols come from. */
  readonly description: string;
  /** Of `names`, those this source cannot resolve (checked before the guest is touched). */
  missing(names: string[]): string[];
  /** The live table of the running kernel. */
  resolve(ctx: SymbolContext): Promise<SymbolTable>;
}

/**
 * A System.map or /proc/kallsyms dump of the same kernel, from any boot: the KASLR slide of the
 * running boot is found as the profile says (x86: the IDT gates; arm64: VBAR_EL1 = `vectors`).
 */
export class DumpSymbolSource implements SymbolSource {
  constructor(private readonly table: SymbolTable) {}

  get description(): string {
    return this.table.source;
  }

  missing(names: string[]): string[] {
    return names.filter((n) => this.table.lookup(n) === undefined);
  }

  async resolve(ctx: SymbolContext): Promise<SymbolTable> {
    const k = ctx.profile.kaslr;
    if (!k) return this.table;
    let found: Record<string, bigint> = {};
    const slide = await ctx.untilReady(async () => {
      let r: { slide: bigint } | { reason: string };
      if (k.method === 'vbar') r = await slideFromVbar(ctx.client, this.table, { register: k.register!, symbol: k.symbol!, align: k.align });
      else if (k.method === 'mips') {
        const m = await slideFromMipsCode(ctx.client, this.table, { symbol: k.symbol!, slots: k.gates, align: k.align });
        if ('found' in m) found = m.found;
        r = m;
      } else r = await slideFromIdt(ctx.client, this.table, { gates: k.gates, align: k.align, wordSize: ctx.profile.wordSize });
      if ('reason' in r && /missing/.test(r.reason)) throw new UserError('SYMBOL_MISSING', r.reason);
      return 'slide' in r ? r.slide : r;
    }, `match ${this.table.source} to the running kernel`);
    const abs = slide < 0n ? -slide : slide;
    const from = k.method === 'vbar' ? k.register : k.method === 'mips' ? `the pc and ${k.symbol}'s code` : 'the IDT';
    ctx.info(`kernel symbols placed: KASLR slide ${slide < 0n ? '-' : ''}0x${abs.toString(16)} (from ${from})`);
    const placed = this.table.withSlide(slide);
    // Data symbols read out of the code (kernelsp), where the table has none of its own: live
    // addresses, kept as absolute symbols so the slide is not added again.
    for (const [name, addr] of Object.entries(found)) {
      if (placed.lookup(name) !== undefined) continue;
      placed.add({ name, addr, type: 'A' });
      ctx.info(`${name} at 0x${addr.toString(16)} (from ${k.symbol}'s code)`);
    }
    return placed;
  }
}
