/**
 * Text mutators for the parser fuzz tests: byte edits, token edits from a dictionary of
 * tokens that mean something to the parsers, and line edits (duplicate, swap, join, blow
 * up). Every mutator takes the text and returns a new one; `mutate` applies a few at random.
 */
import type { Prng } from './prng.js';

/** Tokens that probe parsers: syntax, numbers at the edges, JS object keys, odd bytes. */
export const COMMON_TOKENS: readonly string[] = [
  '', ' ', '  ', '\t', '\r', '\r\n', '\n', '\0', '\u00ff', '\ufeff', '\u{1f600}', '\ud800', '\\', '"', "'", '`',
  '0', '-1', '1', '007', '4294967295', '4294967296', '9007199254740993', '18446744073709551615', '1e400', '-0', '0x10', 'NaN', 'Infinity',
  '__proto__', 'constructor', 'toString', 'hasOwnProperty', 'prototype', 'valueOf',
  '(', ')', '((', '))', ',', ',,', ';', ';;', '*', '**', '[', ']', '[]', '[8]', '{', '}', ':', '#', '//', '/*', '*/', '...',
];

/** A few random bytes of any value. */
function randomText(rng: Prng, max: number): string {
  return rng.bytes(rng.smallLength(max)).toString('latin1');
}

/** Replaces, inserts or deletes single characters. */
export function byteEdit(rng: Prng, s: string, special: string): string {
  const at = rng.int(s.length + 1);
  switch (rng.int(5)) {
    case 0: // replace with any byte
      return s.slice(0, at) + String.fromCharCode(rng.int(256)) + s.slice(at + 1);
    case 1: // insert a special character
      return s.slice(0, at) + special[rng.int(special.length)]! + s.slice(at);
    case 2: // delete a run
      return s.slice(0, at) + s.slice(at + 1 + rng.smallLength(16));
    case 3: // flip a bit
      return at < s.length ? s.slice(0, at) + String.fromCharCode(s.charCodeAt(at) ^ (1 << rng.int(8))) + s.slice(at + 1) : s;
    default: // duplicate a run
      return s.slice(0, at) + s.slice(at, at + rng.smallLength(32)) + s.slice(at);
  }
}

/** Replaces a word-ish token with one from the dictionaries, or inserts one. */
export function tokenEdit(rng: Prng, s: string, tokens: readonly string[]): string {
  const words = [...s.matchAll(/[A-Za-z_0-9]+|[^\sA-Za-z_0-9]/g)];
  const tok = rng.chance(0.7) ? rng.pick(tokens) : rng.pick(COMMON_TOKENS);
  if (words.length === 0 || rng.chance(0.3)) {
    const at = rng.int(s.length + 1);
    return s.slice(0, at) + tok + s.slice(at);
  }
  const w = rng.pick(words);
  return s.slice(0, w.index) + tok + s.slice(w.index! + w[0].length);
}

/**
 * Duplicates, drops, swaps, joins, splits lines, or blows one up (a piece of up to 12
 * characters repeated up to `repeats` times, 5000 with odds `longOdds`).
 */
export function lineEdit(rng: Prng, s: string, longOdds = 0.2, repeats = 500): string {
  const lines = s.split('\n');
  const i = rng.int(lines.length);
  const j = rng.int(lines.length);
  switch (rng.int(7)) {
    case 0:
      lines.splice(j, 0, lines[i]!);
      break;
    case 1:
      lines.splice(i, 1);
      break;
    case 2:
      [lines[i], lines[j]] = [lines[j]!, lines[i]!];
      break;
    case 3:
      if (i + 1 < lines.length) lines.splice(i, 2, lines[i]! + lines[i + 1]!);
      break;
    case 4: {
      const at = rng.int(lines[i]!.length + 1);
      lines.splice(i, 1, lines[i]!.slice(0, at), lines[i]!.slice(at));
      break;
    }
    case 5: {
      // A long line: a piece of it repeated (regular expressions that backtrack show here).
      const line = lines[i]!;
      const a = rng.int(line.length + 1);
      const piece = line.slice(a, a + 1 + rng.int(12)) || rng.pick(COMMON_TOKENS) || 'a';
      lines[i] = line.slice(0, a) + piece.repeat(rng.range(20, rng.chance(longOdds) ? 5000 : repeats)) + line.slice(a);
      break;
    }
    default:
      lines.splice(i, 0, randomText(rng, 40));
  }
  return lines.join('\n');
}

/** 1..max mutations of the kinds above. */
export function mutate(rng: Prng, s: string, tokens: readonly string[], special: string, max = 4, longOdds = 0.2, repeats = 500): string {
  const n = rng.range(1, max);
  for (let k = 0; k < n; k++) {
    const kind = rng.int(3);
    s = kind === 0 ? byteEdit(rng, s, special) : kind === 1 ? tokenEdit(rng, s, tokens) : lineEdit(rng, s, longOdds, repeats);
  }
  return s;
}
