/**
 * Finds and expands kallsyms tables by their shape in a synthetic kernel image built the way
 * scripts/kallsyms.c lays them out (with and without kallsyms_seqs_of_names, both pointer
 * encodings), with junk before and after.
 */
import t from 'tap';
import { expandSymbols, findDigitRuns, layoutBefore, tokenIndexMatches, tokenTableAt } from '../../src/symbols/kallsyms-format.js';

const align = (b: number[], a: number): void => {
  while (b.length % a) b.push(0);
};
const u32 = (b: number[], v: number): void => {
  b.push(v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff);
};

/** Tokens: printable single characters at their own code, multi-character tokens elsewhere. */
function tokens(): string[] {
  const out: string[] = [];
  for (let i = 0; i < 256; i++) out.push(i >= 0x20 && i < 0x7f ? String.fromCharCode(i) : `_tok${i}_`);
  return out;
}

function image(syms: Array<{ type: string; name: string; off: number }>, opts: { seqs: boolean; base: bigint }): Buffer {
  const tk = tokens();
  const b: number[] = [];
  for (let i = 0; i < 1000; i++) b.push((i * 7) & 0xff); // junk before
  align(b, 8);
  for (const s of syms) u32(b, s.off);
  align(b, 8);
  for (let i = 0n; i < 8n; i++) b.push(Number((opts.base >> (8n * i)) & 0xffn));
  u32(b, syms.length);
  align(b, 8);
  const namesStart = b.length;
  const markers: number[] = [];
  syms.forEach((s, i) => {
    if (i % 256 === 0) markers.push(b.length - namesStart);
    // Compress "_tok1_" where it occurs, to exercise multi-character tokens.
    const full = s.type + s.name;
    const codes: number[] = [];
    for (let j = 0; j < full.length; ) {
      if (full.startsWith('_tok1_', j)) {
        codes.push(1);
        j += 6;
      } else codes.push(full.charCodeAt(j++));
    }
    if (codes.length > 127) b.push((codes.length & 0x7f) | 0x80, codes.length >> 7);
    else b.push(codes.length);
    b.push(...codes);
  });
  align(b, 8);
  for (const m of markers) u32(b, m);
  align(b, 8);
  if (opts.seqs) {
    for (let i = 0; i < syms.length; i++) b.push(i & 0xff, (i >> 8) & 0xff, 0);
    align(b, 8);
  }
  for (const s of tk) b.push(...Buffer.from(s + '\0', 'latin1'));
  align(b, 8);
  let off = 0;
  for (const s of tk) {
    b.push(off & 0xff, off >> 8);
    off += s.length + 1;
  }
  for (let i = 0; i < 500; i++) b.push(0);
  return Buffer.from(b);
}

function syms(n: number) {
  return Array.from({ length: n }, (_, i) => ({
    type: i % 3 ? 'T' : 't',
    name: i === 5 ? 'x'.repeat(200) : i === 7 ? 'with_tok1_inside' : `sym_${i}_name`,
    off: -1 - i * 16, // relative_base - 1 - off: ascending addresses
  }));
}

for (const seqs of [false, true]) {
  t.test(`tables ${seqs ? 'with' : 'without'} kallsyms_seqs_of_names`, async (t) => {
    const list = syms(700);
    const base = 0xffffffff81000000n;
    const buf = image(list, { seqs, base });
    const runs = findDigitRuns(buf);
    t.ok(runs.length >= 1, 'digit run found');
    const tt = tokenTableAt(buf, runs[0]!);
    t.ok(tt, 'token table recognised');
    t.ok(tokenIndexMatches(buf, tt!.start, tt!.end, tt!.tokens, 8), 'token index follows it');
    const layout = layoutBefore(buf, tt!.start, 8);
    t.ok(layout, 'layout found');
    t.equal(layout?.numSyms, 700);
    t.equal(layout?.markerValues.length, 3);
    const out = expandSymbols(buf, layout!, tt!.tokens, 8, true);
    t.equal(out.length, 700);
    t.same(out[7], { type: 'T', name: 'with_tok1_inside', addr: base - 1n - BigInt(-1 - 7 * 16) });
    t.equal(out[5]!.name, 'x'.repeat(200), 'a long name (2-byte length) expands');
    t.equal(out[699]!.name, 'sym_699_name');
    t.equal(out[0]!.addr, base);
  });
}

t.test('no tables in junk', async (t) => {
  const junk = Buffer.alloc(100_000);
  for (let i = 0; i < junk.length; i++) junk[i] = (i * 131 + 7) & 0xff;
  const runs = findDigitRuns(junk);
  t.same(runs.filter((r) => tokenTableAt(junk, r)), [], 'nothing recognised');
});
