/**
 * Symbol tables in System.map / /proc/kallsyms form: `<hex address> <type> <name> [module]`
 * per line (kernel scripts/mksysmap; fs/proc kallsyms_show). A dump from one boot applies
 * to another boot of the same kernel once the KASLR slide is added.
 */
import { readFileSync } from 'node:fs';
import { UserError, at } from '../util/errors.js';

export interface KernelSymbol {
  name: string;
  addr: bigint;
  type: string;
}

export class SymbolTable {
  private readonly byName = new Map<string, KernelSymbol>();
  private sorted: KernelSymbol[] | null = null;

  constructor(readonly source: string, symbols: Iterable<KernelSymbol> = [], readonly slide = 0n) {
    for (const s of symbols) this.add(s);
  }

  add(s: KernelSymbol): void {
    // Keep the first of duplicate names, preferring text symbols (local statics repeat).
    const old = this.byName.get(s.name);
    if (!old || (!/[tT]/.test(old.type) && /[tT]/.test(s.type))) this.byName.set(s.name, s);
    this.sorted = null;
  }

  get size(): number {
    return this.byName.size;
  }

  /** The address of `name` with the slide applied, or undefined. */
  lookup(name: string): bigint | undefined {
    const s = this.byName.get(name);
    if (s === undefined) return undefined;
    // Absolute symbols (x86_64 per-CPU offsets such as current_task) do not move with KASLR.
    return s.type === 'A' || s.type === 'a' ? s.addr : s.addr + this.slide;
  }

  /** Like `lookup`, but a missing symbol is a user error naming the table. */
  require(name: string, why: string): bigint {
    const a = this.lookup(name);
    if (a === undefined) {
      throw new UserError('SYMBOL_MISSING', `symbol '${name}' (${why}) is not in ${this.source} (${this.size} symbols)`);
    }
    return a;
  }

  /** The same symbols seen through another KASLR slide. */
  withSlide(slide: bigint): SymbolTable {
    const t = new SymbolTable(this.source, [], slide);
    for (const [k, v] of this.byName) t.byName.set(k, v);
    return t;
  }

  /** `name+0xoff` for an address, or undefined when it is below every symbol. */
  describe(addr: bigint): string | undefined {
    if (!this.sorted) this.sorted = [...this.byName.values()].sort((a, b) => (a.addr < b.addr ? -1 : a.addr > b.addr ? 1 : 0));
    const target = addr - this.slide;
    let lo = 0;
    let hi = this.sorted.length - 1;
    let best = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (this.sorted[mid]!.addr <= target) {
        best = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    if (best < 0) return undefined;
    const s = this.sorted[best]!;
    const off = target - s.addr;
    return off === 0n ? s.name : `${s.name}+0x${off.toString(16)}`;
  }

  /** All symbols, System.map order (by address). */
  entries(): KernelSymbol[] {
    this.describe(0n);
    return [...this.sorted!];
  }
}

const LINE = /^([0-9a-fA-F]{1,16})\s+([a-zA-Z?])\s+(\S+)(?:\s+\[(\S+)\])?\s*$/;

/** Parses System.map or kallsyms text; errors name `file:line` and what was expected. */
export function parseSystemMap(text: string, file: string): SymbolTable {
  const table = new SymbolTable(file);
  const lines = text.split('\n');
  let zeros = 0;
  let count = 0;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trimEnd();
    if (line === '' || line.startsWith('#')) continue;
    const m = LINE.exec(line);
    if (!m) {
      if (count === 0 && /real System\.map/i.test(text)) {
        throw new UserError('CONFIG_INVALID', `${file} is Debian's placeholder System.map (the real one is in the -dbg package); give a /proc/kallsyms dump instead`);
      }
      throw new UserError('CONFIG_INVALID', `${at(file, i + 1)}: expected '<hex address> <type> <name>', got '${line.slice(0, 60)}'`);
    }
    if (m[4] !== undefined) continue; // module symbols move with the module: not used
    const addr = BigInt('0x' + m[1]);
    if (addr === 0n) zeros++;
    table.add({ name: m[3]!, addr, type: m[2]! });
    count++;
  }
  if (count === 0) throw new UserError('CONFIG_INVALID', `${file}: no symbols found`);
  if (zeros === count) {
    throw new UserError('CONFIG_INVALID', `${file}: every address is 0 (a kallsyms dump read with kptr_restrict set; dump it as root with kernel.kptr_restrict=0)`);
  }
  return table;
}

export function loadSystemMap(file: string): SymbolTable {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new UserError('FILE_NOT_FOUND', `cannot read symbol file ${file}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`, { cause: e });
  }
  return parseSystemMap(text, file);
}
