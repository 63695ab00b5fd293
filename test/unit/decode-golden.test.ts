/**
 * The golden cases of test/golden/decode.yaml: raw registers and the guest memory they point
 * to -> the exact strace text under -X abbrev, raw and verbose (and -v where a case says).
 * The expected lines are strace 6.1's output for the same values (see the file's header).
 */
import t from 'tap';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { argsOf, callName, decodeEnter, decodeReturn, formatReturn, joinArgs } from '../../src/decode/decoder.js';
import { staticMemory } from '../../src/decode/memory.js';
import { loadPrototypes } from '../../src/decode/prototypes.js';
import { loadProfile } from '../../src/profile/profile.js';
import type { XlatStyle } from '../../src/decode/format.js';
import { ROOT } from '../integration/guest.js';

type Piece = string | { u64?: Array<number | string>; u32?: Array<number | string>; u16?: number[]; u8?: number[]; hex?: string; zero?: number };

interface GoldenCase {
  call: string;
  args: Array<number | string>;
  ret?: number | string;
  strsize?: number;
  memory?: Record<string, Piece | Piece[]>;
  abbrev: string;
  raw?: string;
  verbose?: string;
  /** With -v (abbrev constants). */
  v?: string;
}

const big = (x: number | string): bigint => BigInt.asUintN(64, BigInt(x));

function bytesOf(p: Piece | Piece[]): Buffer {
  if (Array.isArray(p)) return Buffer.concat(p.map(bytesOf));
  if (typeof p === 'string') return Buffer.from(p, 'latin1');
  const parts: Buffer[] = [];
  for (const x of p.u64 ?? []) {
    const b = Buffer.alloc(8);
    b.writeBigUInt64LE(big(x));
    parts.push(b);
  }
  for (const x of p.u32 ?? []) {
    const b = Buffer.alloc(4);
    b.writeUInt32LE(Number(BigInt.asUintN(32, BigInt(x))));
    parts.push(b);
  }
  for (const x of p.u16 ?? []) {
    const b = Buffer.alloc(2);
    b.writeUInt16LE(x);
    parts.push(b);
  }
  if (p.u8) parts.push(Buffer.from(p.u8));
  if (p.hex) parts.push(Buffer.from(p.hex.replace(/\s+/g, ''), 'hex'));
  if (p.zero) parts.push(Buffer.alloc(p.zero));
  return Buffer.concat(parts);
}

const file = join(ROOT, 'test', 'golden', 'decode.yaml');
const cases = parse(readFileSync(file, 'utf8')) as GoldenCase[];
const profile = loadProfile('linux_x64');
const table = loadPrototypes(profile.prototypes, profile.wordSize, profile.names);

async function render(c: GoldenCase, xlat: XlatStyle, verbose: boolean): Promise<string> {
  const info = table.byShortName(c.call);
  if (!info) throw new Error(`no call ${c.call}`);
  const mem = staticMemory(Object.entries(c.memory ?? {}).map(([addr, p]) => [big(addr), bytesOf(p)]));
  const opts = { strsize: c.strsize ?? 32, xlat, verbose };
  const args = argsOf(info, c.args.map(big));
  await decodeEnter(info, args, mem, opts);
  const ret = c.ret === undefined ? undefined : big(c.ret);
  if (ret !== undefined) await decodeReturn(info, args, ret, mem, opts);
  const name = callName(info, info.no);
  return `${name}(${joinArgs(args)}) = ${formatReturn(name, ret, 4095, 8, args)}`;
}

t.ok(cases.length >= 40, `golden cases (${cases.length})`);
for (const [i, c] of cases.entries()) {
  t.test(`${i + 1} ${c.call}`, async (t) => {
    t.equal(await render(c, 'abbrev', false), c.abbrev, 'abbrev');
    if (c.raw !== undefined) t.equal(await render(c, 'raw', false), c.raw, '-X raw');
    if (c.verbose !== undefined) t.equal(await render(c, 'verbose', false), c.verbose, '-X verbose');
    if (c.v !== undefined) t.equal(await render(c, 'abbrev', true), c.v, '-v');
  });
}
