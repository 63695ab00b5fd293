/**
 * A timeline in the Trace Event Format (the JSON that ui.perfetto.dev and chrome://tracing
 * open): one complete slice (`ph: "X"`) per call, on the caller's thread track (pid/tid of the
 * guest process when known, else one track per address space) and on a track per vCPU.
 * Written as events arrive, so memory stays flat; the closing `]}` is written at the end.
 * Format: "Trace Event Format" (Google doc, linked from perfetto.dev/docs).
 */
import type { TraceEvent } from './event.js';
import { LineWriter, type Sink } from './sinks.js';

/** The synthetic process that holds one track per vCPU. */
const VCPU_PID = 0x7fff_fff0;

interface Open {
  ts: number;
  ev: TraceEvent;
}

export class PerfettoSink implements Sink {
  private first = true;
  private readonly open = new Map<number, Open>();
  private readonly named = new Set<string>();

  constructor(private readonly out: LineWriter, private readonly maxOpen = 65536) {
    this.out.line('{"displayTimeUnit":"ns","traceEvents":[');
  }

  event(ev: TraceEvent): void {
    const ts = Math.round(ev.ts * 1e6); // microseconds
    if (ev.dir === 'enter' && ev.line === undefined) {
      this.open.set(ev.call, { ts, ev });
      if (this.open.size > this.maxOpen) this.open.delete(this.open.keys().next().value as number);
      return;
    }
    const start = this.open.get(ev.call);
    // A fork-like call returns twice; the first return closes the slice, later ones are instants.
    if (start) this.open.delete(ev.call);
    const begin = start && !ev.child ? start.ts : ts;
    const dur = Math.max(0, ts - begin);
    const { pid, tid } = this.track(ev);
    const args: Record<string, unknown> = { line: ev.line, no: ev.no, asid: ev.asid, cpu: ev.cpu };
    if (ev.errno) args.errno = ev.errno;
    this.emit({ name: ev.name, cat: 'syscall', ph: 'X', ts: begin, dur, pid, tid, args });
    this.emit({ name: ev.name, cat: 'syscall', ph: 'X', ts: begin, dur, pid: VCPU_PID, tid: ev.cpu, args: { line: ev.line } });
    this.nameTracks(ev, pid, tid);
  }

  private track(ev: TraceEvent): { pid: number; tid: number } {
    if (ev.pid !== undefined && ev.tid !== undefined) return { pid: ev.pid, tid: ev.tid };
    // No process information: one track per address space.
    const asid = Number(BigInt(ev.asid) >> 12n) & 0x3fff_ffff;
    return { pid: asid, tid: asid };
  }

  private nameTracks(ev: TraceEvent, pid: number, tid: number): void {
    const meta = (key: string, e: Record<string, unknown>): void => {
      if (this.named.has(key)) return;
      this.named.add(key);
      this.emit(e);
    };
    meta('vcpus', { name: 'process_name', ph: 'M', ts: 0, pid: VCPU_PID, tid: 0, args: { name: 'vCPUs' } });
    meta(`cpu${ev.cpu}`, { name: 'thread_name', ph: 'M', ts: 0, pid: VCPU_PID, tid: ev.cpu, args: { name: `vCPU ${ev.cpu}` } });
    const label = ev.comm !== undefined ? `${ev.comm} (${pid})` : `asid ${ev.asid}`;
    meta(`p${pid}:${label}`, { name: 'process_name', ph: 'M', ts: 0, pid, tid: pid, args: { name: label } });
    meta(`t${pid}.${tid}`, { name: 'thread_name', ph: 'M', ts: 0, pid, tid, args: { name: ev.comm !== undefined ? `${ev.comm} ${tid}` : `asid ${ev.asid}` } });
  }

  private emit(e: Record<string, unknown>): void {
    this.out.line((this.first ? '' : ',') + JSON.stringify(e));
    this.first = false;
  }

  async end(): Promise<void> {
    // Calls still open (blocked at the end, or never seen returning) become zero-length slices.
    for (const { ts, ev } of this.open.values()) {
      const { pid, tid } = this.track(ev);
      this.emit({ name: ev.name, cat: 'syscall', ph: 'X', ts, dur: 0, pid, tid, args: { unfinished: true } });
    }
    this.open.clear();
    this.out.line(']}');
    await this.out.end();
  }
}
