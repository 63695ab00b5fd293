/**
 * Target descriptions (GDB manual, "Target Descriptions"): the registers a stub exposes,
 * their numbers and sizes, read from target.xml and the files it includes. XML comments
 * are stripped first: QEMU's x86_64 description has commented-out registers that must not
 * be numbered.
 */

export interface RegisterInfo {
  name: string;
  regnum: number;
  bitsize: number;
  /** Byte offset in the `g` packet, when the register is part of it. */
  gOffset?: number;
}

export interface RegisterMap {
  architecture: string | undefined;
  byName: Map<string, RegisterInfo>;
  ordered: RegisterInfo[];
}

function attr(tag: string, name: string): string | undefined {
  const m = new RegExp(`\\b${name}\\s*=\\s*("([^"]*)"|'([^']*)')`).exec(tag);
  return m ? (m[2] ?? m[3]) : undefined;
}

export function stripComments(xml: string): string {
  return xml.replace(/<!--[\s\S]*?-->/g, '');
}

/** The `href`s of `<xi:include>` elements, in document order. */
export function includesOf(xml: string): string[] {
  const out: string[] = [];
  for (const m of stripComments(xml).matchAll(/<xi:include\b[^>]*>/g)) {
    const href = attr(m[0], 'href');
    if (href) out.push(href);
  }
  return out;
}

/**
 * Builds the register map from documents already fetched: `docs` maps annex name to text,
 * starting at `target.xml`. Registers are numbered in document order, includes expanded
 * where they stand; a `regnum` attribute restarts the count.
 */
export function parseTargetDescription(docs: Map<string, string>, root = 'target.xml'): RegisterMap {
  const ordered: RegisterInfo[] = [];
  let architecture: string | undefined;
  let next = 0;
  const visit = (annex: string, depth: number): void => {
    const text = docs.get(annex);
    if (text === undefined || depth > 8) return;
    const xml = stripComments(text);
    for (const m of xml.matchAll(/<architecture>\s*([^<]*?)\s*<\/architecture>|<xi:include\b[^>]*>|<reg\b[^>]*>/g)) {
      const tag = m[0];
      if (m[1] !== undefined) architecture = m[1];
      else if (tag.startsWith('<xi:include')) {
        const href = attr(tag, 'href');
        if (href) visit(href, depth + 1);
      } else {
        const name = attr(tag, 'name');
        const bits = Number(attr(tag, 'bitsize'));
        const rn = attr(tag, 'regnum');
        if (rn !== undefined) next = Number(rn);
        if (!name || !Number.isInteger(bits) || bits <= 0) continue;
        ordered.push({ name, regnum: next, bitsize: bits });
        next++;
      }
    }
  };
  visit(root, 0);
  return finish(architecture, ordered);
}

/** A map from a fixed list (for stubs with no target.xml, such as QEMU's MIPS). */
export function fixedRegisterMap(architecture: string, regs: Array<[string, number]>): RegisterMap {
  return finish(architecture, regs.map(([name, bitsize], regnum) => ({ name, regnum, bitsize })));
}

function finish(architecture: string | undefined, ordered: RegisterInfo[]): RegisterMap {
  ordered.sort((a, b) => a.regnum - b.regnum);
  const byName = new Map<string, RegisterInfo>();
  for (const r of ordered) byName.set(r.name, r);
  return { architecture, byName, ordered };
}

/**
 * Assigns `g` offsets: the `g` packet holds registers 0..n in order, as many as its length
 * covers (QEMU sends the core registers only).
 */
export function assignGOffsets(map: RegisterMap, gBytes: number): void {
  let off = 0;
  for (const r of map.ordered) {
    const size = r.bitsize / 8;
    if (off + size > gBytes) break;
    r.gOffset = off;
    off += size;
  }
}

/**
 * QEMU's MIPS stub (7.2) sends no target.xml: its registers are fixed (target/mips/gdbstub.c
 * mips_cpu_gdb_read_register; cpu.c sets gdb_num_core_regs = 73), in gdb's order for MIPS
 * (gdb/mips-tdep.c names; 72 is mips-linux-tdep's `restart`, which QEMU reads as 0). The `g`
 * reply holds all 73, each of the target's word size (292 bytes from qemu-system-mipsel 7.2).
 */
const MIPS32_NAMES = [
  'zero', 'at', 'v0', 'v1', 'a0', 'a1', 'a2', 'a3', 't0', 't1', 't2', 't3', 't4', 't5', 't6', 't7',
  's0', 's1', 's2', 's3', 's4', 's5', 's6', 's7', 't8', 't9', 'k0', 'k1', 'gp', 'sp', 's8', 'ra',
  'sr', 'lo', 'hi', 'bad', 'cause', 'pc',
  ...Array.from({ length: 32 }, (_, i) => `f${i}`),
  'fcsr', 'fir', 'restart',
];

/** Built-in register layouts, by the name a profile gives in `registers_layout`. */
export const BUILTIN_LAYOUTS: Record<string, () => RegisterMap> = {
  mips32: () => fixedRegisterMap('mips', MIPS32_NAMES.map((n) => [n, 32])),
};

/** The size in bytes of the `g` packet of a map whose registers are all in it. */
export function gPacketSize(map: RegisterMap): number {
  return map.ordered.reduce((n, r) => n + r.bitsize / 8, 0);
}
