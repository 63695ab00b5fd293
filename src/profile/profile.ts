/**
 * Profiles: per OS/architecture data (entry symbols, register convention, return rule),
 * read from `profiles/<name>.yaml`. Every field is checked at load; errors name
 * `file:line:column` and what was expected.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { LineCounter, parseDocument, isMap, isSeq, isScalar, type Node, type YAMLMap } from 'yaml';
import { UserError, at } from '../util/errors.js';
import { dataDir } from '../util/paths.js';

export interface ProfileEntry {
  symbol: string;
  abi: string;
  /**
   * The entry is a C function given the saved user registers: the register holding the
   * `struct pt_regs *` (arguments, user sp and return site then come from the profile's
   * `pt_regs` layout).
   */
  regsArg?: string;
  /** With `regsArg`: the register holding the number (else pt_regs' `nr`). */
  nr?: string;
  /**
   * Arguments `from` on are words in guest memory at (the user sp, or register `base`) +
   * `offset` + (i - from) * word size: MIPS o32 arguments 5-8, the 6th argument of i386's
   * vDSO paths, every argument of a Windows call.
   */
  stackArgs?: { from: number; offset: number; base?: string; unknown?: number };
  /**
   * The user return site is the word at user sp + `ip`, and the sp there is user sp + `spAdd`
   * (a call made through a stub that returns to its caller: i386 __kernel_vsyscall, KiFastSystemCall).
   */
  returnFromStack?: { ip: number; spAdd: number };
  /**
   * The breakpoint goes right after the first instruction word `insn` (little-endian) within
   * `within` bytes of the symbol: asm entries whose saved registers are complete a few
   * instructions in (ARM vector_swi, MIPS handle_sys).
   */
  after?: { insn: number; within: number };
  /**
   * This entry's own pt_regs layout (else its ABI's, else the profile's): the number saved
   * elsewhere at this point (x86_64 do_int80_emulation: still in ax, orig_ax is -1).
   */
  ptRegs?: PtRegsLayout;
  /**
   * A kernel may lack the symbol (another version's name for it, an ABI configured out): the
   * entry is then left out, with a note, instead of failing the attach.
   */
  optional?: boolean;
  /**
   * An entry with no symbol (Windows): its address is the word at `pointer` in guest memory
   * (SharedUserData->SystemCall at 0x7ffe0300 holds KiFastSystemCall), or the handler of IDT
   * gate `idt` (Windows 2000's int 2Eh), read once the guest has set it up. `symbol` then
   * only names it in messages.
   */
  locate?: { pointer: bigint } | { idt: number };
}

/**
 * A sigreturn-like call: complete at its entry, where the frame at the user sp holds the
 * return value and signal mask it restores (`ret_offset`, `mask_offset`).
 */
export interface SigreturnSpec {
  name: string;
  retOffset: number;
  maskOffset: number;
  /**
   * Where the mask's upper 32 bits are when they are not right after its lower ones (i386's
   * old sigreturn: sc.oldmask, then extramask past the FPU area; `mask_high_offset`).
   */
  maskHighOffset?: number;
}

/** A further ABI of a profile (32-bit calls on a 64-bit kernel): its own table and layouts. */
export interface AbiSpec {
  name: string;
  prototypes: string;
  wordSize: 4 | 8;
  names: Record<string, string>;
  errnoMax: number;
  /** How 64-bit arguments take registers on a 32-bit ABI (decode/registers.ts). */
  pairs?: 'consecutive' | 'aligned';
  ptRegs?: PtRegsLayout;
  /** At the user return site: the return value, the sp, and a register flagging an error (MIPS a3). */
  registers: { ret: string; sp: string; errflag?: string };
  sigreturn?: SigreturnSpec[];
  /**
   * Exit mode: the calls of this ABI are those whose saved user code segment is `userCs`
   * (pt_regs `cs`); `handlers` maps the calls that never reach the exit (exit_group, execve,
   * rt_sigreturn) to the kernel function stopped at instead. `handler`: where selective mode
   * (-e trace=) stops for a call of this ABI, the first of these names (`{name}`: the table's
   * function without `sys_`) that the kernel has.
   */
  exitStop?: { userCs: number; handlers: Record<string, string>; handler?: string[] };
}

/** Offsets in the kernel's saved user registers (struct pt_regs). */
export interface PtRegsLayout {
  size: number;
  nr: number;
  args: number[];
  ret: number;
  ip: number;
  sp: number;
  cs?: number;
  /** The saved PSR word and its Thumb bit: the call returns to Thumb code when set. */
  thumb?: { offset: number; mask: bigint };
}

export interface Profile {
  name: string;
  file: string;
  os: 'linux' | 'windows';
  arch: string;
  wordSize: 4 | 8;
  prototypes: string;
  breakpointKind: number;
  entries: ProfileEntry[];
  registers: { nr: string; args: string[]; ret: string; retaddr: string; sp: string; pc: string; asid: string; errflag?: string };
  asidMask: bigint;
  /**
   * The address-space key is the word at `symbol` + cpu * `stride` in guest memory instead of
   * `registers.asid` (MIPS: `kernelsp[cpu]`, the current task's kernel stack).
   */
  asidFrom?: { symbol: string; stride: number; physicalMask?: bigint };
  /** How 64-bit arguments take registers on this 32-bit ABI (decode/registers.ts). */
  pairs?: 'consecutive' | 'aligned';
  /** Further ABIs, by the name entries give in `abi`. */
  abis: Record<string, AbiSpec>;
  /** Z0 kind for return sites in Thumb code (pt_regs.thumb). */
  thumbBreakpointKind?: number;
  errnoMax: number;
  execCommit?: string;
  /**
   * How the KASLR slide of a running boot is found. `idt`: the x86 IDT gates point at
   * `gates` (vector -> handler). `vbar`: `register` (a vector base register) holds the
   * address of `symbol`; `gates` is then empty. `mips`: the kernel-mode pc and the code of
   * `symbol` (handle_sys), whose syscall table holds `gates` (slot -> function) (kaslr-mips.ts).
   */
  kaslr?: { method: 'idt' | 'vbar' | 'mips'; align: bigint; gates: Record<number, string>; register?: string; symbol?: string };
  /** A built-in register layout for stubs that send no target description (`mips32`: QEMU's MIPS). */
  registersLayout?: 'mips32';
  /** The saved user registers' layout (entries with `regs_arg`, exit mode, selective mode). */
  ptRegs?: PtRegsLayout;
  names: Record<string, string>;
  /** One-stop-per-call mode: where the kernel leaves a syscall with pt_regs at hand. */
  exitStop?: {
    symbol: string;
    regsArg: string;
    handler: string;
    entryCalls: string[];
    ptRegs: PtRegsLayout;
    userCs?: number;
  };
  /**
   * Where each sigreturn call finds the restored return value and signal mask, from its user
   * sp (YAML: one mapping, or a list of them where an ABI has two, as ARM's sigreturn and rt_sigreturn).
   */
  sigreturn?: SigreturnSpec[];
}

const KNOWN_KEYS = [
  'name', 'os', 'arch', 'word_size', 'prototypes', 'breakpoint_kind', 'entries', 'registers', 'asid_mask', 'errno_max', 'exec_commit',
  'kaslr', 'names', 'sigreturn', 'exit_stop', 'pt_regs', 'abis', 'asid_from', 'pairs', 'thumb_breakpoint_kind',
  'registers_layout',
];

const ENTRY_KEYS = ['symbol', 'abi', 'regs_arg', 'nr', 'stack_args', 'return_from_stack', 'after', 'pt_regs', 'optional', 'pointer', 'idt_vector'];
const ABI_KEYS = ['prototypes', 'word_size', 'names', 'errno_max', 'pairs', 'pt_regs', 'registers', 'sigreturn', 'exit_stop'];

class Checker {
  constructor(private readonly file: string, private readonly lines: LineCounter) {}

  fail(node: Node | null | undefined, what: string): never {
    // No node (an empty document has no contents): the error is the document's, at 1:1.
    const pos = this.lines.linePos(node?.range ? node.range[0] : 0);
    throw new UserError('CONFIG_INVALID', `${at(this.file, pos.line, pos.col)}: ${what}`);
  }

  get(map: YAMLMap, key: string, required: boolean): Node | undefined {
    const n = map.get(key, true) as Node | undefined;
    if (n === undefined && required) this.fail(map, `missing key '${key}'`);
    return n;
  }

  str(map: YAMLMap, key: string, required = true): string | undefined {
    const n = this.get(map, key, required);
    if (n === undefined) return undefined;
    if (!isScalar(n) || (typeof n.value !== 'string' && typeof n.value !== 'number')) this.fail(n, `'${key}' must be a string`);
    return String(n.value);
  }

  num(map: YAMLMap, key: string, allowed?: number[]): number {
    const n = this.get(map, key, true)!;
    if (!isScalar(n) || !Number.isSafeInteger(n.value) || (allowed && !allowed.includes(n.value as number))) {
      this.fail(n, `'${key}' must be ${allowed ? 'one of ' + allowed.join(', ') : 'an integer'}`);
    }
    return n.value as number;
  }

  big(map: YAMLMap, key: string): bigint {
    const n = this.get(map, key, true)!;
    const v = isScalar(n) ? n.value : undefined;
    try {
      if (typeof v === 'number' || typeof v === 'string') return BigInt(v);
    } catch {
      /* reported below */
    }
    return this.fail(n, `'${key}' must be an integer (decimal or "0x..." in quotes)`);
  }

  map(node: Node | undefined, what: string): YAMLMap {
    if (!isMap(node)) this.fail(node, `${what} must be a mapping`);
    return node as YAMLMap;
  }

  strList(node: Node | undefined, what: string): string[] {
    if (!isSeq(node)) this.fail(node, `${what} must be a list`);
    return node.items.map((it) => {
      if (!isScalar(it) || typeof it.value !== 'string') this.fail(it as Node, `${what} items must be strings`);
      return it.value as string;
    });
  }
}

export function parseProfile(text: string, file: string): Profile {
  const lines = new LineCounter();
  let doc: ReturnType<typeof parseDocument>;
  try {
    doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  } catch (e) {
    // yaml 2.9's parser recurses per nesting level: a few thousand levels (`a: a: a: ...`)
    // overflow the stack with no position known.
    if (!(e instanceof RangeError)) throw e;
    throw new UserError('CONFIG_INVALID', `${at(file, 1, 1)}: cannot parse: ${e.message} (nested too deeply?)`, { cause: e });
  }
  if (doc.errors.length > 0) {
    const e = doc.errors[0]!;
    const pos = lines.linePos(e.pos[0]);
    throw new UserError('CONFIG_INVALID', `${at(file, pos.line, pos.col)}: ${e.message.split('\n')[0]}`);
  }
  const c: Checker = new Checker(file, lines);
  const root = c.map(doc.contents as Node, 'a profile');
  for (const item of root.items) {
    const k = isScalar(item.key) ? String(item.key.value) : '';
    if (!KNOWN_KEYS.includes(k)) c.fail(item.key as Node, `unknown key '${k}' (expected one of ${KNOWN_KEYS.join(', ')})`);
  }
  const os = c.str(root, 'os')!;
  if (os !== 'linux' && os !== 'windows') c.fail(c.get(root, 'os', true), `'os' must be linux or windows`);
  const entriesNode = c.get(root, 'entries', true);
  if (!isSeq(entriesNode) || entriesNode.items.length === 0) c.fail(entriesNode, `'entries' must be a non-empty list`);
  const entries = entriesNode.items.map((it) => {
    const m = c.map(it as Node, 'an entry');
    // Where the entry is: a symbol, or (Windows, no symbols) a pointer in guest memory or an IDT gate.
    const ptr = c.get(m, 'pointer', false);
    const vec = c.get(m, 'idt_vector', false);
    const wheres = [c.get(m, 'symbol', false), ptr, vec].filter((n) => n !== undefined);
    if (wheres.length !== 1) c.fail(wheres[1] ?? m, `an entry needs exactly one of 'symbol', 'pointer', 'idt_vector'`);
    const e: ProfileEntry = { symbol: c.str(m, 'symbol', false) ?? '', abi: c.str(m, 'abi')! };
    if (ptr !== undefined) {
      const at = c.big(m, 'pointer');
      if (at <= 0n || at >= 1n << 64n) c.fail(ptr, `'pointer' must be a guest address`);
      e.locate = { pointer: at };
      e.symbol = `the address at 0x${at.toString(16)}`;
    }
    if (vec !== undefined) {
      const v = c.num(m, 'idt_vector');
      if (v < 0 || v > 255) c.fail(vec, `'idt_vector' must be 0..255`);
      e.locate = { idt: v };
      e.symbol = `IDT vector 0x${v.toString(16)}`;
    }
    const ra = c.str(m, 'regs_arg', false);
    if (ra !== undefined) e.regsArg = ra;
    const opt = c.get(m, 'optional', false);
    if (opt !== undefined) {
      if (!isScalar(opt) || typeof opt.value !== 'boolean') c.fail(opt, `'optional' must be true or false`);
      if (opt.value) e.optional = true;
    }
    const nr = c.str(m, 'nr', false);
    if (nr !== undefined) {
      if (ra === undefined) c.fail(c.get(m, 'nr', true), `an entry's 'nr' register needs 'regs_arg'`);
      e.nr = nr;
    }
    for (const item of m.items) {
      const k = isScalar(item.key) ? String(item.key.value) : '';
      if (!ENTRY_KEYS.includes(k)) c.fail(item.key as Node, `unknown entry key '${k}' (expected one of ${ENTRY_KEYS.join(', ')})`);
    }
    const sa = c.get(m, 'stack_args', false);
    if (sa !== undefined) {
      const sm = c.map(sa, `'stack_args'`);
      e.stackArgs = { from: c.num(sm, 'from'), offset: c.num(sm, 'offset') };
      const base = c.str(sm, 'base', false);
      if (base !== undefined) e.stackArgs.base = base;
      // unknown: how many arguments a call missing from the table shows (strace's MAX_ARGS for
      // the ABI: 7 for MIPS o32), when more than the argument registers.
      if (c.get(sm, 'unknown', false) !== undefined) e.stackArgs.unknown = c.num(sm, 'unknown');
    }
    const rs = c.get(m, 'return_from_stack', false);
    if (rs !== undefined) {
      const rm = c.map(rs, `'return_from_stack'`);
      e.returnFromStack = { ip: c.num(rm, 'ip'), spAdd: c.num(rm, 'sp_add') };
    }
    const af = c.get(m, 'after', false);
    if (af !== undefined) {
      const am = c.map(af, `'after'`);
      const insn = c.big(am, 'insn');
      if (insn < 0n || insn > 0xffffffffn) c.fail(c.get(am, 'insn', true), `'after.insn' must be a 32-bit instruction word`);
      const within = c.num(am, 'within');
      if (within < 4 || within > 4096) c.fail(c.get(am, 'within', true), `'after.within' must be 4..4096 bytes`);
      e.after = { insn: Number(insn), within };
    }
    return e;
  });
  const regs = c.map(c.get(root, 'registers', true), `'registers'`);
  const registers = {
    nr: c.str(regs, 'nr')!,
    args: c.strList(c.get(regs, 'args', true), `'registers.args'`),
    ret: c.str(regs, 'ret')!,
    retaddr: c.str(regs, 'retaddr')!,
    sp: c.str(regs, 'sp')!,
    pc: c.str(regs, 'pc')!,
    // With asid_from, the key comes from guest memory.
    asid: c.str(regs, 'asid', c.get(root, 'asid_from', false) === undefined) ?? '',
  } as Profile['registers'];
  const ef = c.str(regs, 'errflag', false);
  if (ef !== undefined) registers.errflag = ef;
  const profile: Profile = {
    name: c.str(root, 'name')!,
    file,
    os: os as 'linux' | 'windows',
    arch: c.str(root, 'arch')!,
    wordSize: c.num(root, 'word_size', [4, 8]) as 4 | 8,
    prototypes: c.str(root, 'prototypes')!,
    breakpointKind: c.num(root, 'breakpoint_kind'),
    entries,
    registers,
    asidMask: c.big(root, 'asid_mask'),
    errnoMax: c.num(root, 'errno_max'),
    names: {},
    abis: {},
  };
  const pairsOf = (m: YAMLMap): 'consecutive' | 'aligned' | undefined => {
    const v = c.str(m, 'pairs', false);
    if (v !== undefined && v !== 'consecutive' && v !== 'aligned') c.fail(c.get(m, 'pairs', true), `'pairs' must be consecutive or aligned`);
    return v as 'consecutive' | 'aligned' | undefined;
  };
  const pairs = pairsOf(root);
  if (pairs) profile.pairs = pairs;
  const asidFrom = c.get(root, 'asid_from', false);
  if (asidFrom !== undefined) {
    const am = c.map(asidFrom, `'asid_from'`);
    profile.asidFrom = { symbol: c.str(am, 'symbol')!, stride: c.num(am, 'stride', [4, 8]) };
    // physical_mask: where user mode cannot read the word's virtual address (MIPS kseg0), it is
    // read from physical memory at address & mask (QEMU's PhyMemMode).
    if (c.get(am, 'physical_mask', false) !== undefined) profile.asidFrom.physicalMask = c.big(am, 'physical_mask');
  }
  const rl = c.str(root, 'registers_layout', false);
  if (rl !== undefined) {
    if (rl !== 'mips32') c.fail(c.get(root, 'registers_layout', true), `'registers_layout' must be mips32`);
    profile.registersLayout = rl;
  }
  if (c.get(root, 'thumb_breakpoint_kind', false) !== undefined) profile.thumbBreakpointKind = c.num(root, 'thumb_breakpoint_kind');
  const ec = c.str(root, 'exec_commit', false);
  if (ec !== undefined) profile.execCommit = ec;
  const k = c.get(root, 'kaslr', false);
  if (k !== undefined) {
    const km = c.map(k, `'kaslr'`);
    const method = c.str(km, 'method');
    if (method !== 'idt' && method !== 'vbar' && method !== 'mips') c.fail(c.get(km, 'method', true), `'kaslr.method' must be idt, vbar or mips`);
    if (method === 'vbar') {
      profile.kaslr = { method: 'vbar', align: c.big(km, 'align'), gates: {}, register: c.str(km, 'register')!, symbol: c.str(km, 'symbol')! };
    } else {
    const gm = c.map(c.get(km, 'gates', true), `'kaslr.gates'`);
    const gates: Record<number, string> = {};
    // mips: slots of the syscall table handle_sys loads (sys_call_table[0..]), not IDT vectors.
    const maxGate = method === 'mips' ? 4095 : 255;
    for (const item of gm.items) {
      const v = isScalar(item.key) ? Number(item.key.value) : NaN;
      if (!Number.isInteger(v) || v < 0 || v > maxGate) c.fail(item.key as Node, `gate vectors must be 0..${maxGate}`);
      if (!isScalar(item.value) || typeof item.value.value !== 'string') c.fail(item.value as Node, 'gate handlers must be symbol names');
      gates[v] = (item.value as { value: string }).value;
    }
    if (method === 'mips') profile.kaslr = { method: 'mips', align: c.big(km, 'align'), gates, symbol: c.str(km, 'symbol')! };
    else profile.kaslr = { method: 'idt', align: c.big(km, 'align'), gates };
    }
  }
  const sigreturnsOf = (node: Node, what: string): SigreturnSpec[] => {
    const one = (n: Node): SigreturnSpec => {
      const m = c.map(n, what);
      const s: SigreturnSpec = { name: c.str(m, 'name')!, retOffset: c.num(m, 'ret_offset'), maskOffset: c.num(m, 'mask_offset') };
      if (c.get(m, 'mask_high_offset', false) !== undefined) s.maskHighOffset = c.num(m, 'mask_high_offset');
      return s;
    };
    if (!isSeq(node)) return [one(node)];
    if (node.items.length === 0) c.fail(node, `${what} must be a mapping or a non-empty list of them`);
    return node.items.map((it) => one(it as Node));
  };
  const sr = c.get(root, 'sigreturn', false);
  if (sr !== undefined) profile.sigreturn = sigreturnsOf(sr, `'sigreturn'`);
  const parsePtRegs = (node: Node | undefined, what: string): PtRegsLayout => {
    const pr = c.map(node, what);
    const argsNode = c.get(pr, 'args', true);
    if (!isSeq(argsNode) || argsNode.items.some((i) => !isScalar(i) || !Number.isSafeInteger(i.value))) c.fail(argsNode, `${what.slice(0, -1)}.args' must be a list of offsets`);
    const layout: PtRegsLayout = {
      size: c.num(pr, 'size'),
      nr: c.num(pr, 'nr'),
      args: (argsNode as { items: Array<{ value: number }> }).items.map((i) => i.value),
      ret: c.num(pr, 'ret'),
      ip: c.num(pr, 'ip'),
      sp: c.num(pr, 'sp'),
    };
    if (c.get(pr, 'cs', false) !== undefined) layout.cs = c.num(pr, 'cs');
    const th = c.get(pr, 'thumb', false);
    if (th !== undefined) {
      const tm = c.map(th, `${what.slice(0, -1)}.thumb'`);
      layout.thumb = { offset: c.num(tm, 'offset'), mask: c.big(tm, 'mask') };
    }
    return layout;
  };
  const top = c.get(root, 'pt_regs', false);
  if (top !== undefined) profile.ptRegs = parsePtRegs(top, `'pt_regs'`);
  const es = c.get(root, 'exit_stop', false);
  if (es !== undefined) {
    const m = c.map(es, `'exit_stop'`);
    // Its own layout, or the profile's.
    const own = c.get(m, 'pt_regs', profile.ptRegs === undefined);
    const ptRegs = own !== undefined ? parsePtRegs(own, `'exit_stop.pt_regs'`) : profile.ptRegs!;
    profile.ptRegs ??= ptRegs;
    profile.exitStop = {
      symbol: c.str(m, 'symbol')!,
      regsArg: c.str(m, 'regs_arg')!,
      handler: c.str(m, 'handler')!,
      entryCalls: c.strList(c.get(m, 'entry_calls', true), `'exit_stop.entry_calls'`),
      ptRegs,
    };
    if (c.get(m, 'user_cs', false) !== undefined) profile.exitStop.userCs = c.num(m, 'user_cs');
  }
  const namesOf = (m: YAMLMap, into: Record<string, string>): void => {
    const names = c.get(m, 'names', false);
    if (names === undefined) return;
    for (const item of c.map(names, `'names'`).items) {
      if (!isScalar(item.key) || !isScalar(item.value)) c.fail(item.key as Node, 'names must map a function name to a syscall name');
      into[String((item.key as { value: unknown }).value)] = String((item.value as { value: unknown }).value);
    }
  };
  namesOf(root, profile.names);
  const abis = c.get(root, 'abis', false);
  if (abis !== undefined) {
    for (const item of c.map(abis, `'abis'`).items) {
      const name = isScalar(item.key) ? String(item.key.value) : '';
      if (!/^[A-Za-z0-9_]+$/.test(name)) c.fail(item.key as Node, 'ABI names are words (letters, digits, _)');
      const m = c.map(item.value as Node, `ABI '${name}'`);
      for (const k of m.items) {
        const key = isScalar(k.key) ? String(k.key.value) : '';
        if (!ABI_KEYS.includes(key)) c.fail(k.key as Node, `unknown key '${key}' in ABI '${name}' (expected one of ${ABI_KEYS.join(', ')})`);
      }
      const r = c.map(c.get(m, 'registers', true), `'abis.${name}.registers'`);
      const spec: AbiSpec = {
        name,
        prototypes: c.str(m, 'prototypes')!,
        wordSize: c.num(m, 'word_size', [4, 8]) as 4 | 8,
        names: {},
        errnoMax: c.num(m, 'errno_max'),
        registers: { ret: c.str(r, 'ret')!, sp: c.str(r, 'sp')! },
      };
      const aef = c.str(r, 'errflag', false);
      if (aef !== undefined) spec.registers.errflag = aef;
      const ap = pairsOf(m);
      if (ap) spec.pairs = ap;
      const apr = c.get(m, 'pt_regs', false);
      if (apr !== undefined) spec.ptRegs = parsePtRegs(apr, `'abis.${name}.pt_regs'`);
      const asr = c.get(m, 'sigreturn', false);
      if (asr !== undefined) spec.sigreturn = sigreturnsOf(asr, `'abis.${name}.sigreturn'`);
      const aes = c.get(m, 'exit_stop', false);
      if (aes !== undefined) {
        const em = c.map(aes, `'abis.${name}.exit_stop'`);
        const handlers: Record<string, string> = {};
        for (const h of c.map(c.get(em, 'handlers', true), `'abis.${name}.exit_stop.handlers'`).items) {
          if (!isScalar(h.key) || !isScalar(h.value) || typeof h.value.value !== 'string') c.fail(h.key as Node, 'handlers map a call name to a kernel function');
          handlers[String((h.key as { value: unknown }).value)] = (h.value as { value: string }).value;
        }
        spec.exitStop = { userCs: c.num(em, 'user_cs'), handlers };
        const hn = c.get(em, 'handler', false);
        if (hn !== undefined) spec.exitStop.handler = isSeq(hn) ? c.strList(hn, `'abis.${name}.exit_stop.handler'`) : [c.str(em, 'handler')!];
      }
      namesOf(m, spec.names);
      profile.abis[name] = spec;
    }
  }
  for (const [i, e] of entries.entries()) {
    const own = c.get(entriesNode.items[i] as YAMLMap, 'pt_regs', false);
    if (own !== undefined) e.ptRegs = parsePtRegs(own, `'entries[${i}].pt_regs'`);
    const spec = profile.abis[e.abi];
    if (e.regsArg !== undefined && (e.ptRegs ?? (spec ? spec.ptRegs ?? profile.ptRegs : profile.ptRegs)) === undefined) {
      c.fail(entriesNode.items[i] as Node, `an entry with 'regs_arg' needs a 'pt_regs' layout (top-level, or in its ABI)`);
    }
  }
  return profile;
}

/** Names of the bundled profiles. */
export function availableProfiles(): string[] {
  return readdirSync(join(dataDir(), 'profiles'))
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => f.slice(0, -5))
    .sort();
}

/** Loads a bundled profile by name, or a profile file by path. */
export function loadProfile(nameOrPath: string): Profile {
  const isPath = nameOrPath.includes('/') || nameOrPath.endsWith('.yaml');
  const file = isPath ? nameOrPath : join(dataDir(), 'profiles', `${nameOrPath}.yaml`);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    if (isPath) throw new UserError('FILE_NOT_FOUND', `cannot read profile file ${file}`);
    throw new UserError('PROFILE_UNKNOWN', `unknown profile '${nameOrPath}' (available: ${availableProfiles().join(', ')})`);
  }
  return parseProfile(text, file);
}
