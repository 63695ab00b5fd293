/**
 * Tokens of a rule condition (Falco's filter syntax): words (field names, macro names,
 * keywords, bare values such as `/etc/passwd` or `-1`), quoted strings, comparison
 * symbols, parentheses and commas. Every token keeps its position in the YAML file.
 */
import { PositionedError, type SourcePos } from '../diagnostics.js';
import type { PosMap } from '../yaml-source.js';

export type TokenKind = 'word' | 'string' | 'op' | '(' | ')' | ',' | 'eof';

export interface Token {
  kind: TokenKind;
  /** The source text (for a string: its unescaped value). */
  text: string;
  pos: SourcePos;
}

/** Symbols that are operators; the word operators (`in`, `contains`...) are words. */
const SYMBOLS = ['==', '!=', '<=', '>=', '=', '<', '>'];
/** Characters that end a bare word (and `!` before `=`). */
const BREAK = new Set([' ', '\t', '\n', '\r', '(', ')', ',', '=', '<', '>', '"', "'"]);

/**
 * Splits `text` into tokens, ending with one `eof` token. `posAt` maps an offset in `text`
 * to its file position. A condition built from several YAML scalars (appends) is tokenized
 * one scalar at a time and the token lists joined.
 */
export function tokenize(text: string, posAt: PosMap): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      i++;
      continue;
    }
    const pos = posAt(i);
    if (c === '(' || c === ')' || c === ',') {
      out.push({ kind: c, text: c, pos });
      i++;
      continue;
    }
    const sym = SYMBOLS.find((s) => text.startsWith(s, i));
    if (sym) {
      out.push({ kind: 'op', text: sym, pos });
      i += sym.length;
      continue;
    }
    if (c === '!') throw new PositionedError(pos, "expected '!=' ('!' alone is not an operator; use 'not')");
    if (c === '"' || c === "'") {
      const { value, next } = readQuoted(text, i, posAt);
      out.push({ kind: 'string', text: value, pos });
      i = next;
      continue;
    }
    let j = i;
    while (j < text.length && !BREAK.has(text[j]!) && !(text[j] === '!' && text[j + 1] === '=')) j++;
    out.push({ kind: 'word', text: text.slice(i, j), pos });
    i = j;
  }
  out.push({ kind: 'eof', text: '', pos: posAt(text.trimEnd().length) });
  return out;
}

const ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', v: '\v', f: '\f', '0': '\0' };

/** A quoted string from `text[i]` (its quote); `\n \t \r \v \f \0` as in C, `\x` is x (`\\`, `\"`). */
function readQuoted(text: string, i: number, posAt: PosMap): { value: string; next: number } {
  const quote = text[i]!;
  let value = '';
  let j = i + 1;
  while (j < text.length) {
    const c = text[j]!;
    if (c === '\\' && j + 1 < text.length) {
      const n = text[j + 1]!;
      value += ESCAPES[n] ?? n;
      j += 2;
      continue;
    }
    if (c === quote) return { value, next: j + 1 };
    value += c;
    j++;
  }
  throw new PositionedError(posAt(i), `expected a closing ${quote} for the string that starts here`);
}
