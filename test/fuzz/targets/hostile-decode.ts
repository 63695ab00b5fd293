/**
 * Hostile guest, decoder side (issue 8, item 3): every syscall of every prototype table
 * (with its profile's word size), garbage in every argument register and in the return
 * register, through the memories of hostile-memory.ts, decoded at entry and at return (a
 * second, spurious return now and then). Invariants per call:
 * - argsOf, decodeEnter, decodeReturn, joinArgs, callName and formatReturn never throw;
 * - every argument ends as text (out-parameters at return); with unmapped memory, an argument read through a pointer
 *   prints its raw value (or NULL); with fully readable memory it never falls back to it
 *   (a fallback there would be a swallowed exception);
 * - no text shows `undefined`, `NaN` or `[object`;
 * - every request to memory has a whole, non-negative length no larger than the bound, and
 *   one pass (entry, or one return) reads at most 64 KiB + 32 * (strsize + 1) bytes (what
 *   memory handed back): the 4097 words of an envp count, a PATH_MAX path and 32 argv
 *   strings of an execve fit; the printed arguments stay within 64 characters per byte read.
 */
import { argsOf, callName, decodeEnter, decodeReturn, formatReturn, joinArgs, sigset, waitStatus, type DecodedArg } from '../../../src/decode/decoder.js';
import { hex } from '../../../src/decode/format.js';
import { parsePrototypes, type SyscallInfo } from '../../../src/decode/prototypes.js';
import { HostileMemory, MODELS, type MemoryModel } from '../hostile-memory.js';
import type { Prng } from '../prng.js';
import { profiles, tableFiles } from '../tables.js';
import { check, type FuzzTarget } from '../target.js';

interface Call {
  table: string;
  wordSize: 4 | 8;
  errnoMax: number;
  info: SyscallInfo | undefined;
  no: number;
}

interface State {
  calls: Call[];
}

/** Kinds that read through their pointer at entry (decoder.ts READS_MEMORY). */
const READS_AT_ENTRY = new Set(['path', 'str', 'inbuf', 'timespec', 'strarray', 'envp']);
const STRSIZES = [0, 1, 32, 32, 32, 64, 256, 4096];
const BAD_TEXT = /undefined|NaN|\[object /;

/** Per-pass bound on bytes asked of memory, for strace -s `strsize`. */
export function passBound(strsize: number): number {
  return 64 * 1024 + 32 * (strsize + 1);
}

/** A register value a hostile guest could leave: edges, pointers, garbage, oversize. */
export function registerValue(rng: Prng, mem: HostileMemory): bigint {
  return rng.weighted<() => bigint>([
    [3, () => mem.pointer()],
    [2, () => rng.u64()],
    [1, () => BigInt(rng.u32())],
    [1, () => BigInt(rng.int(16))],
    [1, () => rng.pick([0n, 1n, 2n ** 31n, 2n ** 32n - 1n, 2n ** 63n, 2n ** 63n - 1n, 2n ** 64n - 1n, 2n ** 64n - 100n, 0xffffff9cn, 2n ** 64n - 100n])],
    [1, () => (rng.chance(0.5) ? -BigInt(rng.range(1, 5000)) : -rng.u64()) & (2n ** 64n - 1n)], // negative fds and counts
    [0.3, () => (rng.u64() << 64n) | rng.u64()], // more than 64 bits (a stub answering `p` with 16 bytes)
    [0.1, () => -BigInt(rng.range(1, 5000))], // a signed value where an unsigned one belongs
  ])();
}

function returnValue(rng: Prng, mem: HostileMemory): bigint {
  return rng.weighted<() => bigint>([
    [3, () => registerValue(rng, mem)],
    [2, () => (2n ** 64n - BigInt(rng.range(1, 4200))) & (2n ** 64n - 1n)], // -errno and beyond
    [2, () => BigInt(rng.range(0, 100_000))],
    [1, () => rng.pick([0n, 2n ** 31n, 2n ** 31n + 1n, 2n ** 32n - 1n, 2n ** 63n])],
  ])();
}

function checkReads(mem: HostileMemory, bound: number, where: string): void {
  check(mem.returned <= bound, `${where} read ${mem.returned} bytes in ${mem.calls} reads (bound ${bound})`);
  check(mem.largest <= bound, `${where} asked for ${mem.largest} bytes in one read (bound ${bound})`);
}

function checkText(a: DecodedArg, where: string): void {
  if (a.omitted) return;
  check(typeof a.text === 'string', `${where}: argument ${a.name} (${a.kind}) left without text`);
  check(!BAD_TEXT.test(a.text!.replace(/"(?:[^"\\]|\\.)*"/g, '""')), `${where}: argument ${a.name} (${a.kind}) prints ${a.text!.slice(0, 120)}`);
}

export const target: FuzzTarget<State> = {
  setup() {
    const errnoByTable = new Map(profiles().map((p) => [p.prototypes, p.errnoMax]));
    const calls: Call[] = [];
    for (const t of tableFiles()) {
      const table = parsePrototypes(t.text, t.path, t.wordSize, t.renames);
      for (const info of table.all()) calls.push({ table: t.name, wordSize: t.wordSize, errnoMax: errnoByTable.get(t.name) ?? 4095, info, no: info.no });
      // Numbers the table does not know: six hex arguments.
      calls.push({ table: t.name, wordSize: t.wordSize, errnoMax: 4095, info: undefined, no: table.getSyscallMeta().max + 1 });
    }
    return { calls };
  },

  async run(rng, st, index) {
    // Inputs walk the calls in order, so every call of every table gets its share.
    const call = st.calls[index % st.calls.length]!;
    const model: MemoryModel = MODELS[Math.floor(index / st.calls.length) % MODELS.length]!;
    const mem = new HostileMemory(model, rng);
    const strsize = rng.pick(STRSIZES);
    const opts = { strsize };
    const nraw = rng.chance(0.9) ? 6 : rng.int(9);
    const raw = Array.from({ length: nraw }, () => registerValue(rng, mem));
    const name = callName(call.info, call.no);
    const where = `${call.table} ${name} [${raw.map((r) => hex(r)).join(', ')}] memory ${model} strsize ${strsize}`;
    const bound = passBound(strsize);

    const args = argsOf(call.info, raw);
    check(Array.isArray(args), `${where}: argsOf gave no array`);
    for (const a of args) check(typeof a.name === 'string' && typeof a.raw === 'bigint', `${where}: argsOf gave ${JSON.stringify(a, (_, v) => (typeof v === 'bigint' ? hex(v) : v))}`);

    mem.reset();
    await decodeEnter(call.info, args, mem, opts);
    checkReads(mem, bound, `${where}: entry`);
    const spent = mem.returned > bound - 8192; // reads cut by the budget print their address
    for (const a of args) {
      if (a.text !== undefined) checkText(a, `${where} at entry`); // out-parameters get theirs at return
      if (!READS_AT_ENTRY.has(a.kind) || a.raw === 0n || a.omitted) continue;
      if (model === 'unmapped') check(a.text === hex(a.raw), `${where}: ${a.name} (${a.kind}) prints ${a.text?.slice(0, 80)} from unmapped memory`);
      if (model === 'full' && !spent) check(a.text !== hex(a.raw), `${where}: ${a.name} (${a.kind}) fell back to its raw value with all memory readable`);
    }

    const returns = rng.chance(0.9) ? 1 : 2;
    for (let k = 0; k < returns; k++) {
      const ret = returnValue(rng, mem);
      mem.reset();
      await decodeReturn(call.info, args, ret, mem, opts);
      checkReads(mem, bound, `${where}: return ${hex(ret)}`);
      for (const a of args) checkText(a, `${where} at return ${hex(ret)}`);
      const retSize = call.info ? Math.min(8, call.wordSize) : 8;
      const r = formatReturn(name, ret, call.errnoMax, retSize);
      check(typeof r === 'string' && r.length > 0 && !BAD_TEXT.test(r), `${where}: return ${hex(ret)} formats as ${r}`);
      const line = joinArgs(args);
      // A bounded read gives a bounded line: quoting takes 4 characters a byte, a CPU set up
      // to 8 numbers a byte, a struct array some 70 characters for 12 bytes.
      check(typeof line === 'string' && line.length <= 64 * 2 * bound + 4096, `${where}: the arguments print as ${line.length} characters`);
    }
    check(mem.bad.length === 0, () => `${where}: bad memory requests ${mem.bad.map((b) => `${b.op}(${typeof b.addr === 'bigint' ? hex(b.addr) : String(b.addr)}, ${b.len})`).join(' ')}`);

    // The printers strace uses for status words and masks, on the same garbage.
    check(!BAD_TEXT.test(waitStatus(Number(BigInt.asIntN(32, raw[0] ?? 0n)))), `${where}: waitStatus`);
    check(!BAD_TEXT.test(sigset(BigInt.asUintN(64, raw[1] ?? 0n))), `${where}: sigset`);
    return model;
  },
};
