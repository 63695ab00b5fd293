/**
 * Errors in configs and rule files: every one names `file:line:column` and what was
 * expected. Checks collect all the errors they find (so `systrace validate` reports them
 * all at once) and throw one {@link ConfigError} at the end.
 */
import { UserError, at } from '../util/errors.js';

/** A place in a source file, 1-based as editors count. */
export interface SourcePos {
  file: string;
  line: number;
  col: number;
}

/** One problem found in a config, rule file or condition. */
export interface Issue {
  pos: SourcePos;
  message: string;
}

/** `file:line:col: message`. */
export function formatIssue(issue: Issue): string {
  return `${at(issue.pos.file, issue.pos.line, issue.pos.col)}: ${issue.message}`;
}

/** Config errors; `message` holds one `file:line:col: ...` line per issue. */
export class ConfigError extends UserError {
  readonly issues: readonly Issue[];
  constructor(issues: readonly Issue[]) {
    super('CONFIG_INVALID', issues.map(formatIssue).join('\n'));
    this.issues = issues;
  }
}

/** A single error at a known place, thrown by the parsers and caught by {@link Diagnostics.guard}. */
export class PositionedError extends Error {
  constructor(readonly pos: SourcePos, message: string) {
    super(message);
  }
}

/** Collects issues; `guard` runs a step and records a {@link PositionedError} instead of stopping. */
export class Diagnostics {
  readonly issues: Issue[] = [];

  /** `fileOrder`: files in the order the user named them; others follow as first met. */
  constructor(private readonly fileOrder: readonly string[] = []) {}

  /** Records an issue; the same message at the same place is recorded once (a macro used twice). */
  add(pos: SourcePos, message: string): void {
    if (this.issues.some((i) => i.message === message && i.pos.file === pos.file && i.pos.line === pos.line && i.pos.col === pos.col)) return;
    this.issues.push({ pos, message });
  }

  /** Runs `step`; a PositionedError or ConfigError it throws is recorded and `undefined` returned. */
  guard<T>(step: () => T): T | undefined {
    try {
      return step();
    } catch (e) {
      if (e instanceof PositionedError) this.add(e.pos, e.message);
      else if (e instanceof ConfigError) for (const i of e.issues) this.add(i.pos, i.message);
      else throw e;
      return undefined;
    }
  }

  /** The issues in reading order: files as named (then as first met), then by line and column. */
  sorted(): Issue[] {
    const files = [...new Set([...this.fileOrder, ...this.issues.map((i) => i.pos.file)])];
    return [...this.issues].sort((a, b) => files.indexOf(a.pos.file) - files.indexOf(b.pos.file) || a.pos.line - b.pos.line || a.pos.col - b.pos.col);
  }

  /** Throws a ConfigError with everything recorded so far, if anything was. */
  throwIfAny(): void {
    if (this.issues.length > 0) throw new ConfigError(this.sorted());
  }
}
