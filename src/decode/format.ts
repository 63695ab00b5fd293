/**
 * The shared printers, in strace's notation (strace src/util.c string_quote, printflags,
 * printxval): quoted strings with C escapes and `...` when cut, flag sets joined by `|`
 * with leftover bits in hex, enums with an unknown value as its number.
 */

export interface FlagTable {
  /** [value, name], most specific first where masks overlap. */
  readonly bits: ReadonlyArray<readonly [number, string]>;
  /** Name printed when the value is 0 (e.g. `O_RDONLY`), or '0'. */
  readonly zero?: string;
}

/** Quotes bytes as strace does: `\t\n\v\f\r\"\\` by letter, other non-printables in octal. */
export function quoteBytes(bytes: Uint8Array): string {
  let s = '"';
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes[i]!;
    switch (c) {
      case 0x22: s += '\\"'; break;
      case 0x5c: s += '\\\\'; break;
      case 0x09: s += '\\t'; break;
      case 0x0a: s += '\\n'; break;
      case 0x0b: s += '\\v'; break;
      case 0x0c: s += '\\f'; break;
      case 0x0d: s += '\\r'; break;
      default:
        if (c >= 0x20 && c < 0x7f) s += String.fromCharCode(c);
        else {
          const next = bytes[i + 1];
          // Three digits when an octal digit follows, so the escape cannot swallow it.
          const oct = c.toString(8);
          s += '\\' + (next !== undefined && next >= 0x30 && next <= 0x37 ? oct.padStart(3, '0') : oct);
        }
    }
  }
  return s + '"';
}

/** A string argument cut to `max` bytes, `...` after the quote when it was longer. */
export function quoteLimited(bytes: Uint8Array, max: number, longer = false): string {
  const cut = bytes.length > max;
  return quoteBytes(cut ? bytes.subarray(0, max) : bytes) + (cut || longer ? '...' : '');
}

export function hex(v: bigint): string {
  return '0x' + v.toString(16);
}

export function pointer(v: bigint): string {
  return v === 0n ? 'NULL' : hex(v);
}

/**
 * strace -X: `abbrev` prints names (the default), `raw` the number, `verbose` the number
 * with the names in a comment (strace src/xlat.c print_xlat_ex).
 */
export type XlatStyle = 'raw' | 'abbrev' | 'verbose';

/** One constant in the style asked for: `raw` is its number, `names` its decoding. */
export function styled(raw: string, names: string, style: XlatStyle = 'abbrev'): string {
  if (style === 'raw' || raw === names) return raw;
  return style === 'verbose' ? `${raw} /* ${names} */` : names;
}

/** Flag set: known bits by name, the rest in hex, `zero` (or 0) for nothing. */
export function formatFlags(value: bigint, table: FlagTable, style: XlatStyle = 'abbrev'): string {
  if (value === 0n) return styled('0', table.zero ?? '0', style);
  const parts: string[] = [];
  let rest = value;
  for (const [bit, name] of table.bits) {
    const b = BigInt(bit);
    if (b !== 0n && (rest & b) === b) {
      parts.push(name);
      rest &= ~b;
    }
  }
  if (rest !== 0n) parts.push(hex(rest));
  return styled(hex(value), parts.join('|'), style);
}

/**
 * Enum: the name, or the number with strace's `/* X_??? *\/` comment. Unknown values and
 * raw output are in hex (negative ones in decimal), as strace's printxval.
 */
export function formatEnum(value: bigint, names: ReadonlyMap<number, string>, unknownPrefix: string, style: XlatStyle = 'abbrev'): string {
  const n = names.get(Number(value));
  const raw = value === 0n || value < 0n ? value.toString() : hex(value);
  if (n === undefined) return style === 'raw' ? raw : `${raw} /* ${unknownPrefix}??? */`;
  return styled(raw, n, style);
}

/** Octal as strace prints modes, `%#03o`: `0644`, `022`, `000`. */
export function octal(v: bigint): string {
  return v === 0n ? '000' : ('0' + v.toString(8)).padStart(3, '0');
}

/** A register value as a signed integer of `size` bytes. */
export function signed(v: bigint, size: number): bigint {
  return BigInt.asIntN(size * 8, v);
}

export function unsigned(v: bigint, size: number): bigint {
  return BigInt.asUintN(size * 8, v);
}
