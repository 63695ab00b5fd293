/**
 * Fuzz target: the decoders reading a hostile guest through StubMemory, GdbClient and the
 * fake stub over a real socket (the path a trace takes). Guest memory: megabytes with no
 * NUL, pages of random bytes and pointers, a string array that never ends; the stub honest,
 * answering short, answering long, with garbage, or with other bytes on every read. Per
 * call: no throw, every argument has text, one pass reads at most passBound(strsize) bytes
 * through StubMemory, and (honest and changing stubs) the stub sends at most one chunk more
 * per read than StubMemory hands on (a string's last 256-byte chunk, read past its NUL).
 */
import { rmSync } from 'node:fs';
import { argsOf, callName, decodeEnter, decodeReturn, formatReturn, joinArgs } from '../../../src/decode/decoder.js';
import { hex } from '../../../src/decode/format.js';
import type { GuestMemory } from '../../../src/decode/memory.js';
import { parsePrototypes, type SyscallInfo } from '../../../src/decode/prototypes.js';
import { StubMemory } from '../../../src/trace/guest-memory.js';
import { startWithClient } from '../../fakes/fake-stub.js';
import { Prng } from '../prng.js';
import { privateTmpdir, StubGuest, type StubMode } from '../stub-guest.js';
import { tableFiles } from '../tables.js';
import { check, type FuzzTarget } from '../target.js';
import { passBound } from './hostile-decode.js';

interface State {
  calls: Array<{ table: string; wordSize: 4 | 8; info: SyscallInfo }>;
  guest: StubGuest;
  mem: StubMemory;
  pointers: bigint[];
  close: () => Promise<void>;
}

const ENDLESS = 0x10_0000n;
const PAGES = 0x4000_0000n;
const ARRAY = 0x7000_0000n;

/** Memory that counts the reads and the bytes it hands on. */
function counted(mem: GuestMemory): GuestMemory & { bytes: number; calls: number } {
  const c = {
    bytes: 0,
    calls: 0,
    read: async (addr: bigint, len: number) => {
      c.calls++;
      const b = await mem.read(addr, len);
      c.bytes += b?.length ?? 0;
      return b;
    },
    readString: async (addr: bigint, max: number) => {
      c.calls++;
      const s = await mem.readString(addr, max);
      c.bytes += s ? s.bytes.length + (s.terminated ? 1 : 0) : 0;
      return s;
    },
  };
  return c;
}

export const target: FuzzTarget<State> = {
  async setup() {
    const calls: State['calls'] = [];
    for (const t of tableFiles()) {
      const table = parsePrototypes(t.text, t.path, t.wordSize, t.renames);
      for (const info of table.all()) calls.push({ table: t.name, wordSize: t.wordSize, info });
    }
    const rng = new Prng(0x5eed_0006);
    const guest = new StubGuest(rng);
    guest.add(ENDLESS, 4 << 20, (i) => 0x80 | (i & 0x7f)); // no NUL, not UTF-8
    const pages: Buffer[] = [];
    for (let p = 0; p < 8; p++) {
      const b = rng.bytes(4096);
      for (let k = 0; k < 32; k++) b.writeBigUInt64LE(PAGES + BigInt(rng.int(8 * 4096)), rng.int(512) * 8);
      for (let k = 0; k < 32; k++) b[rng.int(4096)] = 0;
      pages.push(b);
    }
    const all = Buffer.concat(pages);
    guest.add(PAGES, all.length, (i) => all[i]!);
    // A string array whose every pointer is the endless region: argv/envp with no end.
    guest.add(ARRAY, 0x10000, (i) => Number((ENDLESS >> BigInt(8 * (i % 8))) & 0xffn));
    const dir = privateTmpdir(); // FakeStub names its socket by pid and a counter: workers would share them
    const { client, close } = await startWithClient(guest.handler(), { timeoutMs: 5000 });
    await client.qSupported();
    const pointers = [ENDLESS, ENDLESS + 0xff8n, PAGES, PAGES + 0x7ff0n, ARRAY, ARRAY + 0xfff8n, 0n, 0x1000n, 2n ** 64n - 8n];
    return { calls, guest, mem: new StubMemory(client), pointers, close: async () => { await close(); rmSync(dir, { recursive: true, force: true }); } };
  },

  async run(rng, st) {
    const call = rng.pick(st.calls);
    const mode = rng.weighted<StubMode>([[4, 'honest'], [2, 'changing'], [1, 'short'], [1, 'long'], [1, 'garbage']]);
    st.guest.mode = mode;
    const strsize = rng.pick([0, 32, 32, 256, 4096]);
    const raw = Array.from({ length: 6 }, () =>
      rng.weighted<() => bigint>([
        [4, () => rng.pick(st.pointers) + BigInt(rng.int(64))],
        [2, () => rng.u64()],
        [1, () => BigInt(rng.int(100))],
        [1, () => rng.pick([2n ** 63n, 2n ** 64n - 1n, 2n ** 32n - 1n])],
      ])(),
    );
    const info = call.info;
    const name = callName(info, info.no);
    const where = `${call.table} ${name} [${raw.map((r) => hex(r)).join(', ')}] stub ${mode} strsize ${strsize}`;
    const bound = passBound(strsize);
    const args = argsOf(info, raw);
    const pass = async (what: string, fn: (mem: GuestMemory) => Promise<void>): Promise<void> => {
      const mem = counted(st.mem);
      st.guest.reset();
      await fn(mem);
      check(mem.bytes <= bound, `${where}: ${what} read ${mem.bytes} bytes through StubMemory in ${mem.calls} reads (bound ${bound})`);
      if (mode === 'honest' || mode === 'changing') {
        check(st.guest.served <= mem.bytes + 0x800 * mem.calls, `${where}: ${what}: the stub sent ${st.guest.served} bytes in ${st.guest.packets} packets for ${mem.bytes} bytes in ${mem.calls} reads`);
      }
    };
    await pass('entry', (mem) => decodeEnter(info, args, mem, { strsize }));
    const ret = rng.chance(0.5) ? BigInt(rng.int(5000)) : rng.u64();
    await pass('return', (mem) => decodeReturn(info, args, ret, mem, { strsize }));
    for (const a of args) check(a.omitted || typeof a.text === 'string', `${where}: ${a.name} without text`);
    check(typeof joinArgs(args) === 'string' && typeof formatReturn(name, ret, 4095, Math.min(8, call.wordSize)) === 'string', `${where}: line`);
    return mode;
  },

  async teardown(st) {
    await st.close();
  },
};
