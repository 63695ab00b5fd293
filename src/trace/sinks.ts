/**
 * Output sinks: strace text (with `<unfinished ...>` / `<... resumed>` when calls
 * interleave) and JSONL. Both write whole lines only, through one buffered writer that is
 * flushed on exit, so output already produced survives Ctrl-C or a dropped stub.
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import type { TraceEvent } from './event.js';

export interface Sink {
  event(ev: TraceEvent): void;
  /** Writes what is pending (an open `<unfinished ...>` line) and closes. */
  end(): Promise<void>;
}

/** A line writer over a file or stderr; tolerates a closed pipe (EPIPE) by dropping output. */
export class LineWriter {
  private readonly stream: NodeJS.WritableStream;
  private broken = false;
  private readonly ownStream: WriteStream | null;

  constructor(file?: string) {
    if (file && file !== '-') {
      this.ownStream = createWriteStream(file, { flags: 'w' });
      this.stream = this.ownStream;
    } else {
      this.ownStream = null;
      this.stream = process.stderr;
    }
    this.stream.on('error', () => {
      this.broken = true;
    });
  }

  line(text: string): void {
    if (!this.broken) this.stream.write(text + '\n');
  }

  end(): Promise<void> {
    return new Promise((resolve) => {
      if (this.ownStream) this.ownStream.end(() => resolve());
      else resolve();
    });
  }
}

export function prefixOf(ev: TraceEvent): string {
  return ev.tid === undefined ? `[cpu${ev.cpu} ${ev.asid}] ` : `[cpu${ev.cpu} ${ev.asid} pid ${ev.tid} ${ev.comm}] `;
}

function enterPart(ev: TraceEvent, firstExit: number): string {
  return `${ev.name}(${ev.args.slice(0, firstExit).filter((a) => a.text !== undefined).map((a) => a.text).join(', ')}`;
}

/** strace's options for the text: -t/-tt/-ttt, -T, -e status=failed. */
export interface TextStyle {
  /** -t: 1 time of day, 2 with microseconds (-tt), 3 seconds since the epoch (-ttt); 0 none. */
  timestamps: 0 | 1 | 2 | 3;
  /** -T: time spent in each call, from its enter event to its return (needs entry events). */
  timing: boolean;
  /** -e status=failed: only the calls that returned an error, each as one complete line. */
  failedOnly: boolean;
}

let textDefaults: TextStyle = { timestamps: 0, timing: false, failedOnly: false };

/** The style of every TextSink made afterwards that does not say otherwise (set by the command line). */
export function setTextDefaults(s: Partial<TextStyle>): void {
  textDefaults = { ...textDefaults, ...s };
}

/** `04:55:01`, `04:55:01.123456` or `1795926807.123456` (strace -t, -tt, -ttt; local time). */
export function timestamp(ts: number, kind: 1 | 2 | 3): string {
  const us = Math.round(ts * 1e6);
  const frac = String(us % 1e6).padStart(6, '0');
  if (kind === 3) return `${Math.floor(us / 1e6)}.${frac}`;
  const d = new Date(Math.floor(us / 1e3));
  const p = (n: number): string => String(n).padStart(2, '0');
  const hms = `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
  return kind === 2 ? `${hms}.${frac}` : hms;
}

/** strace -T: ` <0.000123>`. */
export function timeSpent(from: number, to: number): string {
  const us = Math.max(0, Math.round(to * 1e6) - Math.round(from * 1e6));
  return ` <${Math.floor(us / 1e6)}.${String(us % 1e6).padStart(6, '0')}>`;
}

/** strace-style text. */
export class TextSink implements Sink {
  /** The enter line not yet written, waiting for its return. */
  private open: { ev: TraceEvent; text: string } | null = null;
  private readonly style: TextStyle;
  /** When each call still running was entered (-T, -t for lines completed later). */
  private readonly entered = new Map<number, number>();

  constructor(private readonly out: LineWriter, private readonly opts: { prefix: boolean; firstExitArg: (ev: TraceEvent) => number; style?: Partial<TextStyle> }) {
    this.style = { ...textDefaults, ...opts.style };
  }

  private head(ev: TraceEvent, at = ev.ts): string {
    const pre = this.opts.prefix ? prefixOf(ev) : '';
    return this.style.timestamps ? `${pre}${timestamp(at, this.style.timestamps)} ` : pre;
  }

  private spent(ev: TraceEvent): string {
    const from = this.entered.get(ev.call);
    if (!ev.child && !(ev.name === 'fork' || ev.name === 'vfork' || ev.name === 'clone' || ev.name === 'clone3')) this.entered.delete(ev.call);
    return this.style.timing && from !== undefined && ev.retText !== '?' ? timeSpent(from, ev.ts) : '';
  }

  event(ev: TraceEvent): void {
    if (ev.dir === 'enter' && ev.line === undefined && !ev.late) this.entered.set(ev.call, ev.ts);
    if (this.style.failedOnly) {
      if (ev.dir === 'return' && ev.errno !== undefined && ev.line !== undefined) {
        this.out.line(this.head(ev, this.entered.get(ev.call)) + ev.line + this.spent(ev));
      } else if (ev.dir === 'return') this.entered.delete(ev.call);
      return;
    }
    if (ev.dir === 'enter') {
      this.flushOpen();
      if (ev.line !== undefined) {
        this.out.line(this.head(ev) + ev.line);
        return;
      }
      const first = this.opts.firstExitArg(ev);
      const head = enterPart(ev, first);
      this.open = { ev, text: this.head(ev) + head + (first < ev.args.length && first > 0 ? ', ' : '') };
      return;
    }
    if (this.open && this.open.ev.call === ev.call) {
      const at = this.open.ev.ts;
      this.open = null;
      this.out.line(this.head(ev, at) + (ev.line ?? `${ev.name}(...) = ${ev.retText}`) + this.spent(ev));
      return;
    }
    this.flushOpen();
    const first = this.opts.firstExitArg(ev);
    const tail = ev.args.slice(first).filter((a) => a.text !== undefined).map((a) => a.text).join(', ');
    this.out.line(`${this.head(ev)}<... ${ev.name} resumed>${tail}) = ${ev.retText}${this.spent(ev)}`);
  }

  private flushOpen(): void {
    if (this.open) {
      this.out.line(`${this.open.text} <unfinished ...>`);
      this.open = null;
    }
  }

  async end(): Promise<void> {
    this.flushOpen();
    await this.out.end();
  }
}

/** One JSON object per event per line. */
export class JsonSink implements Sink {
  constructor(private readonly out: LineWriter) {}

  event(ev: TraceEvent): void {
    this.out.line(JSON.stringify(ev));
  }

  end(): Promise<void> {
    return this.out.end();
  }
}
