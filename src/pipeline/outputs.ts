/**
 * Where plugins write: one LineWriter per destination (a file, or stderr), shared by every
 * plugin that writes there, and closed once when the pipeline ends (so `print` and
 * `summary` can both write to `-o FILE`).
 */
import { resolve } from 'node:path';
import { LineWriter } from '../trace/sinks.js';

/** A writer that forwards lines and leaves closing to its owner. */
class SharedWriter extends LineWriter {
  constructor(private readonly target: LineWriter) {
    super();
  }

  override line(text: string): void {
    this.target.line(text);
  }

  override end(): Promise<void> {
    return Promise.resolve();
  }
}

export class Outputs {
  private readonly writers = new Map<string, LineWriter>();
  private readonly shared = new Map<string, LineWriter>();

  /** `defaultFile`: the CLI's `-o`, or undefined for stderr. */
  constructor(private readonly defaultFile?: string) {}

  /** The writer for `file` (a path, `-` for stderr), or for the default destination. */
  get(file?: string): LineWriter {
    const target = file ?? this.defaultFile;
    const key = target === undefined || target === '-' ? '-' : resolve(target);
    let s = this.shared.get(key);
    if (!s) {
      const w = new LineWriter(key === '-' ? undefined : key);
      this.writers.set(key, w);
      s = new SharedWriter(w);
      this.shared.set(key, s);
    }
    return s;
  }

  /** Flushes and closes every file. */
  async end(): Promise<void> {
    await Promise.all([...this.writers.values()].map((w) => w.end()));
    this.writers.clear();
    this.shared.clear();
  }
}
