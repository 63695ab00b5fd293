/**
 * Fuzz target: RspConnection and the typed GdbClient commands against the fake stub
 * (test/fakes/fake-stub.ts) on a real unix socket, the stub answering each packet at random:
 * a plausible reply, a random or empty one, an error, a stop reply instead of the answer,
 * console output first, two answers, silence, junk and broken frames on the line, a late
 * answer, a dropped connection; and its knobs (nacks, corrupt checksums, split writes, noise)
 * set at random. Invariants: every operation settles, resolving or rejecting with an RspError
 * (nothing else), within its deadline: 2 x timeoutMs per request it made (ack, then reply)
 * plus slack for a loaded machine; nothing is left unhandled.
 */
import { rmSync } from 'node:fs';
import net from 'node:net';
import { performance } from 'node:perf_hooks';
import { GdbClient } from '../../../src/gdbstub/client.js';
import { RspConnection } from '../../../src/gdbstub/connection.js';
import { RspError } from '../../../src/gdbstub/errors.js';
import { escapeBinary, runLengthEncode } from '../../../src/gdbstub/framing.js';
import { FakeStub, type StubReply } from '../../fakes/fake-stub.js';
import type { Prng } from '../prng.js';
import { framed, junk, payload, piece } from '../rsp-gen.js';
import { privateTmpdir } from '../stub-guest.js';
import { check, type FuzzTarget } from '../target.js';

/** Slack on every deadline: timers and sockets on a busy CI machine. */
const SLACK_MS = 400;

interface State {
  dir: string;
}

const L = (b: Buffer): string => b.toString('latin1');

/** A reply that fits the request, as QEMU would send it. */
function plausible(rng: Prng, p: string): StubReply {
  const m = /^m[0-9a-f]+,([0-9a-f]+)$/.exec(p);
  if (m) return rng.bytes(Math.min(parseInt(m[1]!, 16), 0x800)).toString('hex');
  if (p === 'g') return rng.bytes(8 * rng.range(1, 30)).toString('hex');
  if (/^p[0-9a-f]+$/.test(p)) return rng.bytes(8).toString('hex');
  if (p === '?') return 'T05thread:01;';
  if (p.startsWith('qSupported')) return rng.pick(['PacketSize=1000;qXfer:features:read+', 'PacketSize=zz', 'PacketSize=10', '']);
  if (p.startsWith('qXfer')) return rng.pick(['l<target><architecture>i386:x86-64</architecture><reg name="rax" bitsize="64"/></target>', 'm<target>', 'E00', 'l']);
  if (p === 'qfThreadInfo') return rng.pick(['m1,2', 'l', 'm' + 'f'.repeat(rng.int(40))]);
  if (p === 'qsThreadInfo') return rng.pick(['l', 'm3', 'l']);
  return 'OK';
}

/** Anything a broken stub could answer. */
function wild(rng: Prng): string {
  return rng.weighted<() => string>([
    [3, () => L(escapeBinary(payload(rng)))],
    [1, () => runLengthEncode(L(escapeBinary(payload(rng))))],
    [1, () => ''],
    [1, () => rng.pick(['E01', 'E.bad', 'E', 'OK', 'l', 'm', 'T05', 'S05', 'W00', 'X09', 'O', 'O4', 'O48690a', 'x'.repeat(16), 'xxxxxxxx'])],
    [1, () => rng.bytes(rng.int(64)).toString('hex') + rng.pick(['', 'g', '0', 'x'])],
  ])();
}

type Op = 'request' | 'request-stop' | 'm' | 'g' | 'p' | '?' | 'qSupported' | 'threads' | 'xfer' | 'waitStop' | 'resume' | 'interrupt' | 'concurrent';
const OPS: ReadonlyArray<readonly [number, Op]> = [
  [3, 'request'], [1, 'request-stop'], [3, 'm'], [2, 'g'], [1, 'p'], [1, '?'], [1, 'qSupported'], [1, 'threads'],
  [1, 'xfer'], [1, 'waitStop'], [1, 'resume'], [1, 'interrupt'], [1, 'concurrent'],
];

export const target: FuzzTarget<State> = {
  setup() {
    return { dir: privateTmpdir() };
  },

  async run(rng) {
    const T = rng.range(10, 30);
    let silentOnce = false;
    const stub = await FakeStub.start((p, s) => {
      const action = rng.weighted<string>([
        [12, 'plausible'], [3, 'wild'], [1, 'stop'], [2, 'console'], [1, 'twice'], [1, 'silence'], [2, 'junk'],
        [2, 'frames'], [1, 'late'], [0.5, 'drop'], [0.5, 'notification'],
      ]);
      switch (action) {
        case 'wild':
          return wild(rng);
        case 'stop':
          return rng.pick(['T05thread:01;', 'S05', 'W00', 'X09;process:1']);
        case 'console':
          return ['O' + Buffer.from('hello\n').toString('hex'), plausible(rng, p) as string];
        case 'twice':
          return [plausible(rng, p) as string, wild(rng)];
        case 'silence':
          silentOnce = true;
          return null;
        case 'junk':
          s.sendRaw(junk(rng, 300));
          return rng.chance(0.7) ? plausible(rng, p) : null;
        case 'frames': {
          const parts: Buffer[] = [];
          for (let k = rng.range(1, 4); k > 0; k--) parts.push(piece(rng, false).bytes);
          s.sendRaw(Buffer.concat(parts));
          return rng.chance(0.7) ? plausible(rng, p) : null;
        }
        case 'late':
          s.delayMs = rng.int(3 * T);
          return plausible(rng, p);
        case 'drop':
          s.dropClient();
          return null;
        case 'notification':
          s.sendRaw(framed(Buffer.from('Stop:T05'), true));
          return plausible(rng, p);
        default:
          return plausible(rng, p);
      }
    });
    let conn: RspConnection | undefined;
    const errors: string[] = [];
    try {
      stub.nackNext = rng.chance(0.1) ? rng.range(1, 8) : 0;
      stub.corruptNext = rng.chance(0.1) ? rng.range(1, 4) : 0;
      stub.splitWrites = rng.chance(0.1);
      if (rng.chance(0.1)) stub.strayBefore = junk(rng, 100);
      stub.deaf = rng.chance(0.03);
      // Connected with a socket of our own: RspConnection.connect would use T for the connect too.
      const socket = net.connect(stub.socketPath);
      await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
      conn = RspConnection.fromSocket(socket, { timeoutMs: T, maxRetransmits: rng.int(4) });
      await stub.waitConnected();
      conn.on('protocol-warning', () => undefined);
      conn.on('console', () => undefined);
      const client = new GdbClient(conn);

      // Count the requests each operation makes: its deadline is per request.
      let requests = 0;
      const request = conn.request.bind(conn);
      conn.request = (p, o) => {
        requests++;
        return request(p, o);
      };

      const nops = rng.range(1, 4);
      for (let k = 0; k < nops; k++) {
        const op = rng.weighted(OPS);
        requests = 0;
        let waits = 0; // deadlines that are not requests (resume's ack, waitStop)
        const t0 = performance.now();
        const run = async (): Promise<unknown> => {
          switch (op) {
            case 'request':
              return conn!.request(L(escapeBinary(payload(rng).subarray(0, 100))));
            case 'request-stop':
              return conn!.request('?', { expectStop: true });
            case 'm':
              return client.readMemoryPartial(rng.u64(), rng.int(0x1800));
            case 'g':
              return client.readAllRegisters();
            case 'p':
              return client.readRegisterRaw(rng.int(80));
            case '?':
              return client.haltReason();
            case 'qSupported':
              return client.qSupported();
            case 'threads':
              return client.threads();
            case 'xfer':
              client.features.set('qXfer:features:read', true);
              return client.readTargetDescription();
            case 'waitStop':
              waits = 1;
              return client.waitStop(T);
            case 'resume':
              waits = 2;
              await client.continue();
              if (rng.chance(0.5)) client.interrupt();
              return client.waitStop(T);
            case 'interrupt':
              client.interrupt();
              return undefined;
            case 'concurrent':
              return Promise.allSettled([conn!.request('g'), conn!.request(`m${rng.u64().toString(16)},10`), conn!.request('qC')]).then((rs) => {
                for (const r of rs) if (r.status === 'rejected' && !(r.reason instanceof RspError)) throw r.reason;
              });
          }
        };
        try {
          await run();
        } catch (e) {
          if (!(e instanceof RspError)) throw e; // a crash: only RspError is documented
          errors.push(e.code);
        }
        const took = performance.now() - t0;
        const deadline = (2 * requests + waits) * T + SLACK_MS;
        check(took <= deadline, `${op} with timeout ${T} ms took ${took.toFixed(0)} ms for ${requests} requests (deadline ${deadline} ms)`);
      }
    } finally {
      conn?.close();
      await stub.close();
    }
    return errors.length === 0 ? (silentOnce ? 'ok (with silences)' : 'ok') : `RspError ${[...new Set(errors)].sort().join('/')}`.slice(0, 60);
  },

  teardown(st) {
    rmSync(st.dir, { recursive: true, force: true });
  },
};

