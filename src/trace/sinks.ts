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

/** strace-style text. */
export class TextSink implements Sink {
  /** The enter line not yet written, waiting for its return. */
  private open: { ev: TraceEvent; text: string } | null = null;

  constructor(private readonly out: LineWriter, private readonly opts: { prefix: boolean; firstExitArg: (ev: TraceEvent) => number }) {}

  event(ev: TraceEvent): void {
    const pre = this.opts.prefix ? prefixOf(ev) : '';
    if (ev.dir === 'enter') {
      this.flushOpen();
      if (ev.line !== undefined) {
        this.out.line(pre + ev.line);
        return;
      }
      const first = this.opts.firstExitArg(ev);
      const head = enterPart(ev, first);
      this.open = { ev, text: pre + head + (first < ev.args.length && first > 0 ? ', ' : '') };
      return;
    }
    if (this.open && this.open.ev.call === ev.call) {
      this.open = null;
      this.out.line(pre + (ev.line ?? `${ev.name}(...) = ${ev.retText}`));
      return;
    }
    this.flushOpen();
    const first = this.opts.firstExitArg(ev);
    const tail = ev.args.slice(first).filter((a) => a.text !== undefined).map((a) => a.text).join(', ');
    this.out.line(`${pre}<... ${ev.name} resumed>${tail}) = ${ev.retText}`);
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
