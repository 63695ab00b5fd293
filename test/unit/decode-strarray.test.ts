/**
 * execve's argv/envp arrays: read a chunk of pointers per memory read (a hostile envp of
 * thousands of entries costs tens of reads, not thousands), with 4-byte pointers on 32-bit
 * ABIs, and cut where the memory stops being readable.
 */
import t from 'tap';
import { argsOf, decodeEnter } from '../../src/decode/decoder.js';
import { loadPrototypes } from '../../src/decode/prototypes.js';
import type { GuestMemory } from '../../src/decode/memory.js';

function memoryOf(regions: Array<[bigint, Buffer]>): GuestMemory & { reads: number } {
  const find = (addr: bigint): Buffer | null => {
    for (const [base, data] of regions) if (addr >= base && addr < base + BigInt(data.length)) return data.subarray(Number(addr - base));
    return null;
  };
  const m = {
    reads: 0,
    read: async (addr: bigint, len: number) => {
      m.reads++;
      return find(addr)?.subarray(0, len) ?? null;
    },
    readString: async (addr: bigint, max: number) => {
      m.reads++;
      const b = find(addr);
      if (!b) return null;
      const nul = b.indexOf(0);
      return nul >= 0 && nul <= max ? { bytes: b.subarray(0, nul), terminated: true } : { bytes: b.subarray(0, max), terminated: false };
    },
  };
  return m;
}

function pointers(word: 4 | 8, values: bigint[]): Buffer {
  const b = Buffer.alloc(values.length * word);
  values.forEach((v, i) => (word === 8 ? b.writeBigUInt64LE(v, i * 8) : b.writeUInt32LE(Number(v), i * 4)));
  return b;
}

for (const [table, word] of [['linux_x64.txt', 8], ['linux_x86.txt', 4]] as const) {
  t.test(`${table}: execve`, async (t) => {
    const tab = loadPrototypes(table, word);
    const info = tab.byShortName('execve')!;
    const path = 0x1000n;
    const argv = 0x2000n;
    const envp = 0x100000n;
    const str = 0x3000n;
    const n = 3000;
    const mem = memoryOf([
      [path, Buffer.from('/bin/sh\0')],
      [argv, pointers(word, [str, str + 3n, 0n])],
      [str, Buffer.from('sh\0-c\0')],
      [envp, pointers(word, [...Array.from({ length: n }, () => str), 0n])],
    ]);
    const args = argsOf(info, [path, argv, envp]);
    await decodeEnter(info, args, mem, { strsize: 32, verbose: false });
    t.equal(args[1]!.text, '["sh", "-c"]', 'argv');
    t.equal(args[2]!.text, `0x100000 /* ${n} vars */`, 'envp counted');
    t.ok(mem.reads < 40, `few reads (${mem.reads})`);

    // An array that runs into unreadable memory ends with `...`.
    const cut = memoryOf([
      [path, Buffer.from('/x\0')],
      [argv, pointers(word, [str, str])],
      [str, Buffer.from('a\0')],
    ]);
    const a2 = argsOf(info, [path, argv, 0n]);
    await decodeEnter(info, a2, cut, { strsize: 32, verbose: false });
    t.equal(a2[1]!.text, '["a", "a", ...]', 'cut at the unreadable page');
  });
}
