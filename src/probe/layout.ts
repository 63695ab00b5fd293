/**
 * The probe's memory layout and record format, shared with the recorder (recorder.c: keep
 * the two in step). One allocation in the kernel's module area holds, from its start:
 * the recorder's code (one page, made executable), the control block (`ctrl`, 0x1000) with
 * the per-CPU ring headers and the capture table, then one ring per CPU.
 */
import { readUintLE } from '../gdbstub/framing.js';

export const CODE_SIZE = 0x1000;
export const CTRL_OFF = 0x1000;
export const CTRL_SIZE = 0x5000;
export const RINGS_OFF = CTRL_OFF + CTRL_SIZE;
export const MAX_CPUS = 64;
export const NR_MAX = 512;

/** Offsets inside ctrl (struct ctrl in recorder.c). */
export const C = {
  enabled: 0x00,
  ringSize: 0x08,
  ncpus: 0x10,
  cpuNumber: 0x18,
  doSyscall64: 0x20,
  exitToUser: 0x28,
  copyNofault: 0x30,
  strncpyNofault: 0x38,
  rings: 0x40,
  highWater: 0x48,
  currentTask: 0x50,
  taskPid: 0x58,
  taskTgid: 0x60,
  taskComm: 0x68,
  taskParent: 0x70,
  cpus: 0x100,
  table: 0x1000,
} as const;
/** struct cpu_ring: head, tail, lost, records (u64 each). */
export const CPU_RING_SIZE = 32;
/** struct spec: flags, desc[6], pad (u32 each). */
export const SPEC_SIZE = 32;
export const F_LIVE_ENTER = 1;
export const F_LIVE_RETURN = 2;

export type CaptureKind = 'fixed' | 'string' | 'counted';
/** One capture descriptor (D_* in recorder.c). */
export interface Capture {
  arg: number;
  kind: CaptureKind;
  /** fixed: bytes; string: bytes with the NUL; counted: at most this many. */
  max: number;
  /** counted: the argument holding the count, or 'ret'. */
  src?: number | 'ret';
  enter: boolean;
  ret: boolean;
}

export function encodeCapture(c: Capture): number {
  if (c.max < 1 || c.max > 0xffff) throw new RangeError(`capture of ${c.max} bytes`);
  const kind = c.kind === 'fixed' ? 1 : c.kind === 'string' ? 2 : 3;
  const src = c.src === 'ret' ? 7 : c.src ?? 0;
  const when = (c.enter ? 1 : 0) | (c.ret ? 2 : 0);
  return (c.max | (c.arg << 16) | (kind << 19) | (src << 21) | (when << 24)) >>> 0;
}

export const REC_HEADER = 16;
/**
 * Words after the header: enter tsc regs cr3 nr ip sp arg0..5; return and child tsc regs
 * cr3 nr ax ip sp, then arg0..5 with REC_ARGS (a return whose entry the recorder did not
 * write: it predates the probe, or was lost).
 */
export const ENTER_WORDS = 12;
export const EXIT_WORDS = 7;
/** struct proc: pid, tgid, ppid, pad, comm[16]. */
export const PROC_SIZE = 32;
export const REC_LIVE = 1;
export const REC_PROC = 2;
export const REC_ARGS = 4;
export const CAP_HEADER = 16;
export const enum RecType { Pad = 0, Enter = 1, Return = 2, Child = 3 }
export const enum CapStatus { Ok = 1, Str = 2, StrCut = 3, Fault = 4 }

export interface CapturedBytes {
  addr: bigint;
  arg: number;
  status: CapStatus;
  bytes: Buffer;
}

/** One record from a ring (struct rec and its captures; offsets as in recorder.c). */
export interface ProbeRecord {
  type: RecType;
  live: boolean;
  cpu: number;
  tsc: bigint;
  regs: bigint;
  cr3: bigint;
  nr: bigint;
  /** Return and child records: regs->ax. */
  ax: bigint;
  ip: bigint;
  sp: bigint;
  /** The six arguments (as in pt_regs when the record was written); empty in a return whose entry was recorded. */
  args: bigint[];
  /** The caller, when the probe was given task_struct offsets (--btf). */
  proc?: { pid: number; tid: number; ppid: number; comm: string };
  caps: CapturedBytes[];
  /** Bytes this record (and any pad before it) takes in its ring. */
  span: number;
}

/**
 * Parses the records in `buf` (bytes of one ring from its tail). Guest memory is not
 * trusted: a length that is not a whole record ends the parse, and the caller counts what
 * was left as malformed.
 */
export function parseRecords(buf: Buffer): { records: ProbeRecord[]; used: number; malformed: boolean } {
  const records: ProbeRecord[] = [];
  let off = 0;
  let pad = 0;
  while (off + 8 <= buf.length) {
    const len = buf.readUInt32LE(off);
    const type = buf.readUInt16LE(off + 4) as RecType;
    if (len < 8 || len % 8 !== 0 || off + len > buf.length) return { records, used: off - pad, malformed: true };
    if (type === RecType.Pad) {
      pad += len;
      off += len;
      continue;
    }
    const flags = buf.readUInt16LE(off + 6);
    const hasArgs = type === RecType.Enter || (flags & REC_ARGS) !== 0;
    const words = type === RecType.Enter ? ENTER_WORDS : EXIT_WORDS + (hasArgs ? 6 : 0);
    const named = (flags & REC_PROC) !== 0;
    const fixed = REC_HEADER + 8 * words + (named ? PROC_SIZE : 0);
    if (type > RecType.Child || len < fixed) return { records, used: off - pad, malformed: true };
    const w = (i: number): bigint => readUintLE(buf, off + REC_HEADER + 8 * i, 8);
    const enter = type === RecType.Enter;
    const rec: ProbeRecord = {
      type,
      live: (flags & REC_LIVE) !== 0,
      cpu: buf.readUInt32LE(off + 8),
      tsc: w(0), regs: w(1), cr3: w(2), nr: w(3),
      ax: enter ? 0n : w(4),
      ip: w(enter ? 4 : 5),
      sp: w(enter ? 5 : 6),
      args: enter ? [w(6), w(7), w(8), w(9), w(10), w(11)] : hasArgs ? [w(7), w(8), w(9), w(10), w(11), w(12)] : [],
      caps: [],
      span: pad + len,
    };
    if (named) {
      const at = off + REC_HEADER + 8 * words;
      const comm = buf.subarray(at + 16, at + 32);
      const nul = comm.indexOf(0);
      const tgid = buf.readInt32LE(at + 4);
      if (tgid > 0) rec.proc = { pid: tgid, tid: buf.readInt32LE(at), ppid: buf.readInt32LE(at + 8), comm: comm.subarray(0, nul < 0 ? 16 : nul).toString('latin1') };
    }
    const ncap = buf.readUInt32LE(off + 12);
    let p = off + fixed;
    for (let i = 0; i < ncap; i++) {
      if (p + CAP_HEADER > off + len) return { records, used: off - pad, malformed: true };
      const n = buf.readUInt32LE(p + 8);
      const data = p + CAP_HEADER;
      const next = data + ((n + 7) & ~7);
      if (next > off + len) return { records, used: off - pad, malformed: true };
      rec.caps.push({ addr: readUintLE(buf, p, 8), arg: buf[p + 12]!, status: buf[p + 13]! as CapStatus, bytes: Buffer.from(buf.subarray(data, data + n)) });
      p = next;
    }
    records.push(rec);
    pad = 0;
    off += len;
  }
  return { records, used: off - pad, malformed: false };
}
