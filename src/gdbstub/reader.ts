/**
 * The RSP byte-stream reader: an explicit state machine that takes chunks as they arrive
 * and emits what they contain. It never blocks and never joins chunks: a packet split over
 * several chunks is assembled byte by byte, junk before a `$` is counted and dropped.
 *
 * GDB manual, "Packet Acknowledgment" and "Notification Packets": a stub sends `+`/`-`
 * for our packets, `$...#cs` for its replies and `%...#cs` for notifications.
 */
import { checksum, decodePayload } from './framing.js';

export type ReaderEvent =
  | { kind: 'ack' }
  | { kind: 'nack' }
  /** A well-formed packet (escapes and run-length already undone). */
  | { kind: 'packet'; payload: Buffer; notification: boolean }
  /** A packet whose checksum did not match: the peer should get a `-`. */
  | { kind: 'bad-checksum'; expected: number; actual: number }
  /** A packet with a valid checksum whose body cannot be decoded. */
  | { kind: 'malformed'; reason: string }
  /** Bytes outside any packet that are not acks (noise, a 0x03 from a peer). */
  | { kind: 'junk'; bytes: number };

const enum State {
  Idle,
  Body,
  Checksum1,
  Checksum2,
}

/** Largest body accepted: anything longer is a flood, reported as malformed and dropped. */
export const MAX_PACKET_BYTES = 1 << 20;

function hexValue(b: number): number {
  if (b >= 0x30 && b <= 0x39) return b - 0x30;
  if (b >= 0x61 && b <= 0x66) return b - 0x61 + 10;
  if (b >= 0x41 && b <= 0x46) return b - 0x41 + 10;
  return -1;
}

export class RspReader {
  private state = State.Idle;
  private body: number[] = [];
  private notification = false;
  private csHigh = 0;
  private junk = 0;
  private overflow = false;

  /** Feeds one chunk; returns the events it completed, in order. */
  feed(chunk: Uint8Array): ReaderEvent[] {
    const events: ReaderEvent[] = [];
    for (const b of chunk) {
      switch (this.state) {
        case State.Idle:
          if (b === 0x24 /* $ */ || b === 0x25 /* % */) {
            this.flushJunk(events);
            this.state = State.Body;
            this.body = [];
            this.overflow = false;
            this.notification = b === 0x25;
          } else if (b === 0x2b /* + */) {
            this.flushJunk(events);
            events.push({ kind: 'ack' });
          } else if (b === 0x2d /* - */) {
            this.flushJunk(events);
            events.push({ kind: 'nack' });
          } else {
            this.junk++;
          }
          break;
        case State.Body:
          if (b === 0x23 /* # */) this.state = State.Checksum1;
          else if (this.body.length < MAX_PACKET_BYTES) this.body.push(b);
          else this.overflow = true;
          break;
        case State.Checksum1:
          this.csHigh = hexValue(b);
          this.state = State.Checksum2;
          break;
        case State.Checksum2: {
          const low = hexValue(b);
          this.state = State.Idle;
          const raw = Uint8Array.from(this.body);
          this.body = [];
          const actual = checksum(raw);
          const expected = this.csHigh < 0 || low < 0 ? -1 : (this.csHigh << 4) | low;
          if (this.overflow) {
            events.push({ kind: 'malformed', reason: `packet longer than ${MAX_PACKET_BYTES} bytes` });
          } else if (expected !== actual) {
            events.push({ kind: 'bad-checksum', expected, actual });
          } else {
            const decoded = decodePayload(raw, MAX_PACKET_BYTES);
            if (decoded.ok) events.push({ kind: 'packet', payload: decoded.payload, notification: this.notification });
            else events.push({ kind: 'malformed', reason: decoded.reason });
          }
          break;
        }
      }
    }
    // Junk at the end of a chunk is reported at once so floods of noise stay visible.
    if (this.state === State.Idle) this.flushJunk(events);
    return events;
  }

  /** True while a packet has started but not ended. */
  get midPacket(): boolean {
    return this.state !== State.Idle;
  }

  private flushJunk(events: ReaderEvent[]): void {
    if (this.junk > 0) {
      events.push({ kind: 'junk', bytes: this.junk });
      this.junk = 0;
    }
  }
}
