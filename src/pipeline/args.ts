/**
 * One event as plugins and rules see it: the TraceEvent (docs/events.md) plus its
 * arguments as values, named after the prototype (`filename`, `flags`), with the raw
 * register signed or unsigned as the prototype's C type says, and string arguments
 * unquoted from strace's rendering.
 */
import type { SyscallInfo } from '../decode/prototypes.js';
import type { TraceEvent } from '../trace/event.js';

/** An argument of a call. */
export interface ArgValue {
  /** Prototype name (`filename`); `arg0`... for unknown calls. */
  readonly name: string;
  /** C type from the prototype. */
  readonly type: string;
  /** The register, signed for signed C types (`dfd` AT_FDCWD is -100n). */
  readonly raw: bigint;
  /** strace's rendering when decoded: `"/etc/hostname"`, `O_RDONLY|O_CLOEXEC`, `3`. */
  readonly text?: string;
  /** The string for a string argument (unquoted, possibly cut: see `truncated`), else `raw`. */
  readonly value: string | bigint;
  /** True when the string was cut at strace's -s limit. */
  readonly truncated?: boolean;
}

/**
 * Reverses strace's quoting (src/decode/format.ts quoteBytes): `"a\nb"...` gives
 * `{ value: 'a\nb', truncated: true }`; text that is not a quoted string gives undefined.
 * Bytes outside ASCII come back as the Latin-1 character of the same code.
 */
export function unquote(text: string): { value: string; truncated: boolean } | undefined {
  if (!text.startsWith('"')) return undefined;
  let out = '';
  let i = 1;
  const esc: Record<string, string> = { n: '\n', t: '\t', v: '\v', f: '\f', r: '\r', '"': '"', '\\': '\\' };
  while (i < text.length) {
    const c = text[i]!;
    if (c === '"') {
      const rest = text.slice(i + 1);
      if (rest !== '' && rest !== '...') return undefined;
      return { value: out, truncated: rest === '...' };
    }
    if (c === '\\') {
      const n = text[i + 1] ?? '';
      if (esc[n] !== undefined) {
        out += esc[n];
        i += 2;
        continue;
      }
      const m = /^[0-7]{1,3}/.exec(text.slice(i + 1));
      if (!m) return undefined;
      out += String.fromCharCode(parseInt(m[0], 8));
      i += 1 + m[0].length;
      continue;
    }
    out += c;
    i++;
  }
  return undefined;
}

/** An event with its syscall info and argument values, built once and shared by every plugin. */
export class EventView {
  private argList: ArgValue[] | undefined;
  private byName: Record<string, ArgValue> | undefined;

  constructor(
    readonly ev: TraceEvent,
    /** The prototype, or undefined for a number the profile's table lacks. */
    readonly info: SyscallInfo | undefined,
  ) {}

  /** Arguments in prototype order. */
  get args(): readonly ArgValue[] {
    if (!this.argList) {
      this.argList = this.ev.args.map((a, i) => {
        const spec = this.info?.args[i];
        let raw = BigInt(a.raw);
        if (spec && spec.signed && !spec.pointer) raw = BigInt.asIntN(spec.size * 8, raw);
        const s = a.text === undefined ? undefined : unquote(a.text);
        const v: { -readonly [K in keyof ArgValue]: ArgValue[K] } = { name: a.name, type: a.type, raw, value: s ? s.value : raw };
        if (a.text !== undefined) v.text = a.text;
        if (s?.truncated) v.truncated = true;
        return v;
      });
    }
    return this.argList;
  }

  /** Arguments by prototype name. */
  get named(): Readonly<Record<string, ArgValue>> {
    if (!this.byName) {
      this.byName = Object.create(null) as Record<string, ArgValue>;
      for (const a of this.args) this.byName[a.name] = a;
    }
    return this.byName;
  }
}
