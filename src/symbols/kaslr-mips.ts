/**
 * The KASLR slide of a running 32-bit MIPS Linux guest, from its own code. MIPS Linux relocates
 * itself (arch/mips/kernel/relocate.c: relocate_kernel copies the image to a random multiple of
 * 64 KiB above the link address, applies its relocations and enters start_kernel there); the
 * offset it keeps (`__kaslr_offset`) and the vector base (CP0 EBase, allocated by trap_init on
 * MIPS32r2) are data or CP0 state that neither a text-only kallsyms dump nor QEMU's MIPS stub
 * shows. What the stub does show is the pc and CP0 Status:
 *
 *  - Status.BEV (bit 22) is set from reset until trap_init installs the kernel's vectors
 *    (arch/mips/kernel/traps.c per_cpu_trap_init -> configure_status clears it): with it clear,
 *    the relocated kernel is running;
 *  - a kernel-mode pc then lies in the relocated text, so the slide is one of the multiples of
 *    the alignment that put the pc inside the table's text;
 *  - of those, the right one shows `symbol` (handle_sys, arch/mips/kernel/scall32-o32.S) where
 *    it should be: its `la t1, sys_call_table` (lui t1 / addiu t1, t1) points at a table whose
 *    slots hold the table's functions plus the same slide (the `gates`: slot -> function).
 *    The image the decompressor left at the link address is just as consistent with itself,
 *    but the pc is never in it once BEV is clear (relocate.c moves the image by at least its
 *    own length).
 *
 * handle_sys's SAVE_SOME (asm/stackframe.h get_saved_sp, SMP variant) also loads the kernel sp
 * from `kernelsp` (lui k1, %hi(kernelsp); ...; lw sp, %lo(kernelsp)(k1)), a data symbol missing
 * from a text-only dump: its address is returned too.
 */
import type { GdbClient } from '../gdbstub/client.js';
import type { SymbolTable } from './system-map.js';

export interface MipsSlideOptions {
  /** The syscall entry whose code is checked (`handle_sys`). */
  symbol: string;
  /** Slots of the table it loads into t1 -> the function each one holds. */
  slots: Record<number, string>;
  /** The slide is a multiple of this (relocate.c: 64 KiB). */
  align: bigint;
}

export interface MipsSlide {
  slide: bigint;
  /** Data symbols found in the code (`kernelsp`), live addresses. */
  found: Record<string, bigint>;
}

const STATUS_BEV = 1n << 22n;
const CODE_BYTES = 0x200;

/** Encodings (MIPS32 I-type: op rs rt imm16) of the instructions looked for. */
const LUI_K1 = 0x3c1b0000; // lui k1, imm
const LW_SP_K1 = 0x8f7d0000; // lw sp, imm(k1)
const LUI_T1 = 0x3c090000; // lui t1, imm
const ADDIU_T1_T1 = 0x25290000; // addiu t1, t1, imm

/** %hi/%lo pair: the upper half was adjusted for the sign of the lower (MIPS ABI). */
function hiLo(hi: number, lo: number): bigint {
  return BigInt.asUintN(32, (BigInt(hi & 0xffff) << 16n) + BigInt((lo & 0xffff) << 16 >> 16));
}

/**
 * The address a `lui reg` / `op ..., imm(reg)` pair forms in `code` (the first such pair, the
 * second instruction at most `gap` instructions after the first), if any.
 */
function pairAddress(code: Buffer, lui: number, low: number, gap: number): bigint | undefined {
  for (let i = 0; i + 4 <= code.length; i += 4) {
    const w = code.readUInt32LE(i);
    if ((w & 0xffff0000) >>> 0 !== lui) continue;
    for (let j = i + 4; j + 4 <= code.length && j <= i + 4 * gap; j += 4) {
      const v = code.readUInt32LE(j);
      if ((v & 0xffff0000) >>> 0 === low) return hiLo(w, v);
    }
  }
  return undefined;
}

/** The slide mapping `table` onto the running kernel, or why it cannot be told yet. */
export async function slideFromMipsCode(client: GdbClient, table: SymbolTable, opts: MipsSlideOptions): Promise<MipsSlide | { reason: string }> {
  const entry = table.lookup(opts.symbol);
  if (entry === undefined) return { reason: `symbol ${opts.symbol} missing from ${table.source}` };
  const slots: Array<[number, bigint]> = [];
  for (const [slot, fn] of Object.entries(opts.slots)) {
    const a = table.lookup(fn);
    if (a === undefined) return { reason: `symbol ${fn} missing from ${table.source}` };
    slots.push([Number(slot), a]);
  }
  // QEMU answers `p` only to a client that read its target.xml (gdbstub.c handle_read_reg):
  // with none for MIPS, registers come from the `g` reply.
  const g = await client.readAllRegisters();
  const reg = (name: string): bigint | undefined => {
    const r = client.registers?.byName.get(name);
    return r?.gOffset !== undefined && r.gOffset + 4 <= g.length ? BigInt(g.readUInt32LE(r.gOffset)) : undefined;
  };
  const status = reg('sr');
  const pc = reg('pc');
  if (status === undefined || pc === undefined) return { reason: `the stub's g reply (${g.length} bytes) has no sr and pc` };
  if ((status & STATUS_BEV) !== 0n) return { reason: `CP0 Status 0x${status.toString(16)} has BEV set: the kernel has not installed its exception vectors yet` };
  if (pc < 0x80000000n) return { reason: `the pc 0x${pc.toString(16)} is a user address` };
  let lo: bigint | undefined;
  let hi: bigint | undefined;
  for (const s of table.entries()) {
    if (s.type !== 'T' && s.type !== 't') continue;
    if (lo === undefined || s.addr < lo) lo = s.addr;
    if (hi === undefined || s.addr > hi) hi = s.addr;
  }
  if (lo === undefined || hi === undefined) return { reason: `no text symbols in ${table.source}` };
  // Slides d (multiples of align) with lo <= pc - d <= hi + align (the pc may be inside the
  // last function).
  hi += opts.align;
  const last = floorDiv(pc - lo, opts.align) * opts.align;
  const candidates: bigint[] = [];
  for (let d = ceilDiv(pc - hi, opts.align) * opts.align; d <= last && candidates.length < 4096; d += opts.align) candidates.push(d);
  for (const d of candidates) {
    const at = BigInt.asUintN(32, entry + d);
    const { data: code } = await client.readMemoryPartial(at, CODE_BYTES);
    if (code.length < CODE_BYTES) continue;
    // `la t1, sys_call_table` is an adjacent pair (STI's `lui t1, 0x1000` is followed by an ori,
    // and the EPC's `addiu t1, t1, 4` follows a lw); get_saved_sp has four instructions between.
    const sysCallTable = pairAddress(code, LUI_T1, ADDIU_T1_T1, 1);
    const kernelsp = pairAddress(code, LUI_K1, LW_SP_K1, 6);
    if (sysCallTable === undefined || kernelsp === undefined) continue;
    let ok = true;
    for (const [slot, fn] of slots) {
      const { data: w } = await client.readMemoryPartial(sysCallTable + BigInt(slot * 4), 4);
      if (w.length !== 4 || BigInt(w.readUInt32LE(0)) !== BigInt.asUintN(32, fn + d)) {
        ok = false;
        break;
      }
    }
    if (ok) return { slide: d, found: { kernelsp } };
  }
  return { reason: `no slide puts ${opts.symbol} and its table around the pc 0x${pc.toString(16)} (${candidates.length} tried; user mode or a vector?)` };
}

function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b !== 0n && (a < 0n) !== (b < 0n) ? q - 1n : q;
}

function ceilDiv(a: bigint, b: bigint): bigint {
  return -floorDiv(-a, b);
}
