/**
 * The KASLR slide of a running arm64 guest from its exception vector base: Linux loads
 * VBAR_EL1 with the address of its `vectors` table in __primary_switched
 * (arch/arm64/kernel/head.S), after the kernel has been relocated to its random address, so
 * slide = VBAR_EL1 - vectors. Before that VBAR_EL1 is 0 (or a physical address while the
 * MMU is off); the slide is believed only when VBAR_EL1 is a kernel (TTBR1, top-half)
 * address and the slide is a multiple of the profile's alignment. VBAR_EL1 is a system
 * register, outside QEMU's `g` packet: it is read with `p`.
 */
import type { GdbClient } from '../gdbstub/client.js';
import type { SymbolTable } from './system-map.js';

export interface VbarSlideOptions {
  /** The register's name in the stub's target description (QEMU 7.2 calls it `VBAR`). */
  register: string;
  /** The symbol it points at (`vectors`). */
  symbol: string;
  /** The slide is a multiple of this. */
  align: bigint;
}

/** The slide mapping `table` onto the running kernel, or why it cannot be told yet. */
export async function slideFromVbar(client: GdbClient, table: SymbolTable, opts: VbarSlideOptions): Promise<{ slide: bigint } | { reason: string }> {
  const sym = table.lookup(opts.symbol);
  if (sym === undefined) return { reason: `symbol ${opts.symbol} missing from ${table.source}` };
  const vbar = await client.readRegister(opts.register);
  // Kernel (TTBR1) addresses have their top 16 bits set (48-bit VAs; 52-bit ones too).
  if (vbar >> 48n !== 0xffffn) return { reason: `${opts.register} is 0x${vbar.toString(16)}, not a kernel address yet` };
  const slide = BigInt.asIntN(64, vbar - sym);
  if (slide % opts.align !== 0n) return { reason: `${opts.register} 0x${vbar.toString(16)} gives a slide not aligned to 0x${opts.align.toString(16)}` };
  return { slide };
}
