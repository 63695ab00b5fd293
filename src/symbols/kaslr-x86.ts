/**
 * The KASLR slide of a running x86 guest, from its interrupt descriptor table: the gates
 * of the exception vectors point at the `asm_exc_*` handlers, whose link-time (or
 * earlier-boot) addresses a symbol dump has. Several gates must agree before the slide is
 * believed, so a half-built IDT during early boot is never mistaken for the final one.
 * Intel SDM vol. 3A, 6.14.1 "64-Bit Mode IDT" (16-byte gates), 6.11 (8-byte 32-bit gates).
 */
import type { GdbClient } from '../gdbstub/client.js';
import { readUintLE } from '../gdbstub/framing.js';
import type { SymbolTable } from './system-map.js';

export interface IdtSlideOptions {
  /** vector -> handler symbol. */
  gates: Record<number, string>;
  /** The slide is a multiple of this (x86_64: 2 MiB, CONFIG_PHYSICAL_ALIGN). */
  align: bigint;
  wordSize: 4 | 8;
}

/** The IDT base from `monitor info registers` ("IDT=     fffffe0000000000 00000fff"). */
export function parseIdtBase(infoRegisters: string): bigint | undefined {
  const m = /^IDT=\s*([0-9a-fA-F]+)/m.exec(infoRegisters);
  return m ? BigInt('0x' + m[1]) : undefined;
}

/** The handler address of one IDT gate. */
export function gateTarget(gate: Uint8Array, wordSize: 4 | 8): bigint {
  const low = readUintLE(gate, 0, 2);
  const mid = readUintLE(gate, 6, 2);
  const high = wordSize === 8 ? readUintLE(gate, 8, 4) : 0n;
  return (high << 32n) | (mid << 16n) | low;
}

/**
 * Reads the guest's IDT and returns the slide that maps `table` onto it, or a reason why it
 * cannot be told yet (the guest has not set up its final IDT).
 */
export async function slideFromIdt(client: GdbClient, table: SymbolTable, opts: IdtSlideOptions): Promise<{ slide: bigint } | { reason: string }> {
  const base = parseIdtBase(await client.monitor('info registers'));
  if (base === undefined || base === 0n) return { reason: 'no IDT yet' };
  const gateSize = opts.wordSize === 8 ? 16 : 8;
  const vectors = Object.keys(opts.gates).map(Number);
  const maxVector = Math.max(...vectors);
  const { data, error } = await client.readMemoryPartial(base, (maxVector + 1) * gateSize);
  if (error || data.length < (maxVector + 1) * gateSize) return { reason: `IDT at 0x${base.toString(16)} not readable` };
  let slide: bigint | undefined;
  for (const v of vectors) {
    const sym = table.lookup(opts.gates[v]!);
    if (sym === undefined) return { reason: `symbol ${opts.gates[v]} missing from ${table.source}` };
    const target = gateTarget(data.subarray(v * gateSize, (v + 1) * gateSize), opts.wordSize);
    const s = BigInt.asIntN(64, target - sym);
    if (slide === undefined) slide = s;
    else if (s !== slide) return { reason: `IDT gates disagree (vector ${v})` };
  }
  if (slide === undefined || slide % opts.align !== 0n) return { reason: 'slide not aligned' };
  return { slide };
}
