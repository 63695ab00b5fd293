// A deliberately tiny GDB remote-serial-protocol client for the benchmark: its own
// framing, acks and packet queue, nothing else (no timeouts per packet, no retries beyond
// a resend on '-'). It is the "minimal raw RSP loop" of case (b) and the KASLR probe of
// case (d). QEMU 7.2 facts it relies on (../shared/DESIGN.md): ack mode throughout, `O`
// console packets before the `OK` of qRcmd, and on every stop QEMU itself makes the
// stopped vCPU the one `g` and `m` read (so no `Hg` is needed after a stop).
import net from 'node:net';
import { readFileSync } from 'node:fs';

const sum = (s) => {
  let c = 0;
  for (let i = 0; i < s.length; i++) c = (c + s.charCodeAt(i)) & 0xff;
  return c.toString(16).padStart(2, '0');
};

export class Rsp {
  /** target: { path } for a unix socket or { host, port }. */
  static connect(target) {
    return new Promise((resolve, reject) => {
      const sock = net.connect(target);
      sock.once('connect', () => resolve(new Rsp(sock)));
      sock.once('error', reject);
    });
  }

  constructor(sock) {
    this.sock = sock;
    this.buf = '';
    this.queue = []; // packets received and not yet taken
    this.waiters = [];
    this.closed = false;
    this.last = null;
    sock.setNoDelay(true);
    sock.on('data', (d) => this.onData(d.toString('latin1')));
    sock.on('close', () => {
      this.closed = true;
      for (const w of this.waiters.splice(0)) w(null);
    });
    sock.on('error', () => {});
  }

  onData(s) {
    this.buf += s;
    for (;;) {
      // Acks and nacks outside packets.
      let i = 0;
      while (i < this.buf.length && this.buf[i] !== '$') {
        if (this.buf[i] === '-' && this.last) this.sock.write(this.last);
        i++;
      }
      this.buf = this.buf.slice(i);
      const hash = this.buf.indexOf('#');
      if (!this.buf.length || hash < 0 || this.buf.length < hash + 3) return;
      let body = this.buf.slice(1, hash);
      this.buf = this.buf.slice(hash + 3);
      this.sock.write('+');
      if (body.includes('*')) body = unRle(body);
      if (this.waiters.length) this.waiters.shift()(body);
      else this.queue.push(body);
    }
  }

  send(payload) {
    this.last = `$${payload}#${sum(payload)}`;
    this.sock.write(this.last);
  }

  /** The next packet from the stub, or null once the connection is closed. */
  next() {
    if (this.queue.length) return Promise.resolve(this.queue.shift());
    if (this.closed) return Promise.resolve(null);
    return new Promise((r) => this.waiters.push(r));
  }

  async request(payload) {
    this.send(payload);
    return this.next();
  }

  /** Like request, but fails unless the reply is OK. */
  async ok(payload) {
    const r = await this.request(payload);
    if (r !== 'OK') throw new Error(`${payload.slice(0, 40)}: stub replied ${JSON.stringify(r)}`);
  }

  /** qRcmd: the monitor command's output. */
  async monitor(cmd) {
    this.send('qRcmd,' + Buffer.from(cmd, 'latin1').toString('hex'));
    let out = '';
    for (;;) {
      const p = await this.next();
      if (p === null) throw new Error('stub closed during qRcmd');
      if (p === 'OK') return out;
      if (p[0] === 'O' && p !== 'OK') out += Buffer.from(p.slice(1), 'hex').toString('latin1');
      else if (p[0] === 'E' || p === '') throw new Error(`qRcmd ${cmd}: ${p}`);
    }
  }

  async readMemory(addr, len) {
    const r = await this.request(`m${addr.toString(16)},${len.toString(16)}`);
    if (r === null || r[0] === 'E' || r.length !== 2 * len) return null;
    return Buffer.from(r, 'hex');
  }

  interrupt() {
    this.sock.write(Buffer.from([3]));
  }

  close() {
    this.sock.destroy();
  }
}

function unRle(s) {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    if (s[i] === '*' && i > 0) {
      const n = s.charCodeAt(i + 1) - 29;
      out += out[out.length - 1].repeat(n);
      i++;
    } else out += s[i];
  }
  return out;
}

/** Little-endian 64-bit value at byte offset `off` of a `g` reply (hex text). */
export function le64(hex, off) {
  let v = 0n;
  for (let i = 7; i >= 0; i--) v = (v << 8n) | BigInt(parseInt(hex.substr(2 * (off + i), 2), 16));
  return v;
}

// x86_64 `g` layout of QEMU 7.2 (i386-64bit.xml): rax rbx rcx rdx rsi rdi rbp rsp r8..r15
// (8 bytes each), rip (8), eflags and 6 segments (4 each), fs_base, gs_base, k_gs_base, cr0,
// cr2, cr3 (8 each).
export const G = { rax: 0, rcx: 16, rdx: 24, rsi: 32, rdi: 40, rsp: 56, rip: 128, cr3: 204 };

/** name -> address for the names asked, from a System.map / kallsyms dump. */
export function loadSymbols(file, names) {
  const want = new Set(names);
  const out = new Map();
  for (const line of readFileSync(file, 'latin1').split('\n')) {
    const sp2 = line.indexOf(' ', 17);
    const name = line.slice(sp2 + 1).split(/[\s]/)[0];
    if (want.has(name) && !out.has(name)) out.set(name, BigInt('0x' + line.slice(0, 16)));
  }
  for (const n of names) if (!out.has(n)) throw new Error(`symbol ${n} not in ${file}`);
  return out;
}

// The gates the KASLR slide is read from (profiles/linux_x64.yaml, kaslr.gates).
export const IDT_GATES = { 0: 'asm_exc_divide_error', 3: 'asm_exc_int3', 6: 'asm_exc_invalid_op', 13: 'asm_exc_general_protection', 14: 'asm_exc_page_fault' };

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * Lets a guest started with -S boot (continue, 50 ms, interrupt) until its IDT gates all
 * agree on one 2 MiB-aligned slide against `syms`; returns the slide. The guest is left
 * stopped.
 */
export async function findSlide(rsp, syms, deadlineMs = 120000) {
  const end = Date.now() + deadlineMs;
  for (;;) {
    const info = await rsp.monitor('info registers');
    const m = /^IDT=\s*([0-9a-fA-F]+)/m.exec(info);
    const base = m ? BigInt('0x' + m[1]) : 0n;
    if (base !== 0n) {
      const mem = await rsp.readMemory(base, 15 * 16);
      if (mem) {
        let slide;
        let ok = true;
        for (const [v, name] of Object.entries(IDT_GATES)) {
          const g = mem.subarray(Number(v) * 16, Number(v) * 16 + 16);
          const target = (BigInt(g.readUInt32LE(8)) << 32n) | (BigInt(g.readUInt16LE(6)) << 16n) | BigInt(g.readUInt16LE(0));
          const s = BigInt.asIntN(64, target - syms.get(name));
          if (slide === undefined) slide = s;
          else if (s !== slide) ok = false;
        }
        if (ok && slide % 0x200000n === 0n) return slide;
      }
    }
    if (Date.now() > end) throw new Error('no KASLR slide from the IDT before the deadline');
    rsp.send('c');
    await sleep(50);
    rsp.interrupt();
    const stop = await rsp.next();
    if (stop === null || stop[0] === 'W' || stop[0] === 'X') throw new Error('guest ended while looking for the IDT');
  }
}

/** The handshake a minimal client needs: features, then the halt reason. */
export async function handshake(rsp) {
  await rsp.request('qSupported');
  await rsp.request('?');
}
