/**
 * Which system calls can make a condition true: the selective mode needs to stop the guest
 * only for those. For each node two sets over the profile's calls (plus "unknown number"):
 * `may` (the node can be true for the call) and `must` (it is true for every event of the
 * call, whatever the other fields). Then and = intersection, or = union, and
 * may(not A) = all - must(A). Only syscall fields and argument names narrow the sets;
 * every other field may be anything.
 */
import type { SyscallInfo } from '../../decode/prototypes.js';
import { EventView } from '../args.js';
import type { TraceEvent } from '../../trace/event.js';
import { toTest, type Resolved } from './compile.js';

/** Stands for every call number the table lacks. */
export const UNKNOWN = '\0unknown';

interface Sets {
  may: Set<string>;
  must: Set<string>;
}

/** The short names of calls that can satisfy `r`; includes {@link UNKNOWN} when unknown numbers can. */
export function syscallsOf(r: Resolved, table: readonly SyscallInfo[]): Set<string> {
  const all = new Set([...table.map((s) => s.name), UNKNOWN]);
  const samples = table.map((info) => ({ info, view: new EventView(sampleEvent(info), info) }));
  return walk(r, all, samples).may;
}

function sampleEvent(info: SyscallInfo): TraceEvent {
  return { seq: 0, ts: 0, dir: 'enter', call: 0, cpu: 0, asid: '0x0', pc: '0x0', retaddr: '0x0', sp: '0x0', no: info.no, name: info.name, args: [], profile: '', abi: '' };
}

function walk(r: Resolved, all: Set<string>, samples: { info: SyscallInfo; view: EventView }[]): Sets {
  switch (r.kind) {
    case 'const':
      return r.value ? { may: new Set(all), must: new Set(all) } : { may: new Set(), must: new Set() };
    case 'and': {
      const a = walk(r.left, all, samples);
      const b = walk(r.right, all, samples);
      return { may: inter(a.may, b.may), must: inter(a.must, b.must) };
    }
    case 'or': {
      const a = walk(r.left, all, samples);
      const b = walk(r.right, all, samples);
      return { may: new Set([...a.may, ...b.may]), must: new Set([...a.must, ...b.must]) };
    }
    case 'not': {
      const a = walk(r.expr, all, samples);
      return { may: minus(all, a.must), must: minus(all, a.may) };
    }
    case 'cmp':
      return cmpSets(r, all, samples);
  }
}

function cmpSets(r: Extract<Resolved, { kind: 'cmp' }>, all: Set<string>, samples: { info: SyscallInfo; view: EventView }[]): Sets {
  const f = r.field;
  if (f.syscall) {
    const test = toTest(r);
    const known = new Set(samples.filter((s) => test(s.view)).map((s) => s.info.name));
    const equality = r.op === '=' || r.op === 'in';
    // An unknown number has a name (syscall_0x...) but no function name.
    let unknown: boolean;
    if (f.syscall === 'unknown') unknown = r.op === '=' ? r.values[0] === true : r.op === '!=' ? r.values[0] === false : true;
    else if (f.syscall === 'fn') unknown = false;
    else if (f.syscall === 'name') unknown = r.values.some((v) => typeof v === 'string' && unknownNameMay(r.op, v));
    else unknown = !equality || r.values.some((v) => !samples.some((s) => BigInt(s.info.no) === v));
    const may = new Set(known);
    if (unknown) may.add(UNKNOWN);
    const must = new Set(known);
    if (f.syscall === 'unknown' && unknown) must.add(UNKNOWN);
    return { may, must };
  }
  if (f.arg !== undefined) {
    const key = f.arg;
    const may = new Set(samples.filter((s) => (typeof key === 'number' ? s.info.nargs > key : s.info.args.some((a) => a.name === key))).map((s) => s.info.name));
    if (typeof key === 'number' ? key < 6 : /^arg[0-5]$/.test(key)) may.add(UNKNOWN);
    return { may, must: new Set() };
  }
  return { may: new Set(all), must: new Set() };
}

const PREFIX = 'syscall_0x';
const HEX = /^[0-9a-f]*$/;

/** Whether `name <op> v` can hold for some unknown call's name (`syscall_0x` and hex digits). */
function unknownNameMay(op: string, v: string): boolean {
  const tailHex = (min: number) => (k: number) => PREFIX.endsWith(v.slice(0, k)) && HEX.test(v.slice(k)) && v.length - k >= min;
  const splits = (min: number) => Array.from({ length: v.length + 1 }, (_, k) => k).some(tailHex(min));
  switch (op) {
    case '=':
    case 'in':
      return /^syscall_0x[0-9a-f]+$/.test(v);
    case 'startswith':
      return PREFIX.startsWith(v) || (v.startsWith(PREFIX) && HEX.test(v.slice(PREFIX.length)));
    case 'endswith':
      return HEX.test(v) || splits(1);
    case 'contains':
      return PREFIX.includes(v) || splits(0);
    case 'icontains':
      return unknownNameMay('contains', v.toLowerCase());
    default:
      return true; // !=, glob: assume it can
  }
}

function inter(a: Set<string>, b: Set<string>): Set<string> {
  return new Set([...a].filter((x) => b.has(x)));
}

function minus(a: Set<string>, b: Set<string>): Set<string> {
  return new Set([...a].filter((x) => !b.has(x)));
}
