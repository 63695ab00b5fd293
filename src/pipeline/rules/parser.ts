/**
 * Rule conditions: a recursive-descent parser over the tokens of tokenizer.ts.
 *
 *   expr    := and ('or' and)*
 *   and     := unary ('and' unary)*
 *   unary   := 'not' unary | primary
 *   primary := '(' expr ')' | FIELD OP value | FIELD 'exists'
 *            | FIELD 'in' '(' value (',' value)* ')' | MACRO
 *
 * as in Falco's filter grammar (falcosecurity/libs userspace/libsinsp/filter/parser.h):
 * `not` binds tighter than `and`, `and` tighter than `or`. A word before an operator is a
 * field; any other word in operand position is a macro name. Names are resolved later
 * (compile.ts), so the parser needs no field table.
 */
import { PositionedError, type SourcePos } from '../diagnostics.js';
import type { Token } from './tokenizer.js';

/** Comparison operators. */
export const OPERATORS = ['=', '==', '!=', '<', '<=', '>', '>=', 'in', 'contains', 'icontains', 'startswith', 'endswith', 'glob', 'exists'] as const;
export type Operator = (typeof OPERATORS)[number];

const KEYWORDS = new Set(['and', 'or', 'not']);

/** A literal value: a bare word or a quoted string. */
export interface Value {
  text: string;
  /** Quoted values are never list names. */
  quoted: boolean;
  pos: SourcePos;
}

export type Expr =
  | { kind: 'and' | 'or'; left: Expr; right: Expr; pos: SourcePos }
  | { kind: 'not'; expr: Expr; pos: SourcePos }
  | { kind: 'cmp'; field: string; op: Operator; values: Value[]; pos: SourcePos; opPos: SourcePos }
  | { kind: 'ref'; name: string; pos: SourcePos }
  /** Constant, from an empty exception list or macro folding. */
  | { kind: 'const'; value: boolean; pos: SourcePos };

const isOperator = (t: Token): boolean =>
  (t.kind === 'op' || t.kind === 'word') && (OPERATORS as readonly string[]).includes(t.text) && t.text !== '';

function describe(t: Token): string {
  if (t.kind === 'eof') return 'the end of the condition';
  if (t.kind === 'string') return `the string "${t.text}"`;
  return `'${t.text}'`;
}

class Parser {
  private i = 0;
  constructor(private readonly toks: Token[], private readonly isField: (name: string) => boolean) {}

  private cur(): Token {
    return this.toks[this.i]!;
  }

  private next(): Token {
    const t = this.toks[this.i]!;
    if (t.kind !== 'eof') this.i++;
    return t;
  }

  private isWord(text: string): boolean {
    return this.cur().kind === 'word' && this.cur().text === text;
  }

  private fail(t: Token, expected: string): never {
    throw new PositionedError(t.pos, `expected ${expected}, got ${describe(t)}`);
  }

  parseAll(): Expr {
    if (this.cur().kind === 'eof') this.fail(this.cur(), 'a condition');
    const e = this.parseOr();
    if (this.cur().kind !== 'eof') this.fail(this.cur(), "'and', 'or', ')' or the end of the condition");
    return e;
  }

  private parseOr(): Expr {
    let left = this.parseAnd();
    while (this.isWord('or')) {
      const pos = this.next().pos;
      left = { kind: 'or', left, right: this.parseAnd(), pos };
    }
    return left;
  }

  private parseAnd(): Expr {
    let left = this.parseUnary();
    while (this.isWord('and')) {
      const pos = this.next().pos;
      left = { kind: 'and', left, right: this.parseUnary(), pos };
    }
    return left;
  }

  private parseUnary(): Expr {
    if (this.isWord('not')) {
      const pos = this.next().pos;
      return { kind: 'not', expr: this.parseUnary(), pos };
    }
    return this.parsePrimary();
  }

  private parsePrimary(): Expr {
    const t = this.cur();
    if (t.kind === '(') {
      this.next();
      const e = this.parseOr();
      if (this.cur().kind !== ')') this.fail(this.cur(), `')' to close the '(' at ${t.pos.line}:${t.pos.col}`);
      this.next();
      return e;
    }
    if (t.kind !== 'word' || KEYWORDS.has(t.text) || isOperator(t)) this.fail(t, "a field, a macro name, 'not' or '('");
    this.next();
    if (!isOperator(this.cur())) {
      if ((t.text.includes('.') || this.isField(t.text)) && this.cur().kind === 'word' && !KEYWORDS.has(this.cur().text)) {
        this.fail(this.cur(), `an operator after '${t.text}' (${OPERATORS.join(' ')})`);
      }
      return { kind: 'ref', name: t.text, pos: t.pos };
    }
    const opTok = this.next();
    const op = (opTok.text === '==' ? '=' : opTok.text) as Operator;
    const cmp = { kind: 'cmp' as const, field: t.text, op, values: [] as Value[], pos: t.pos, opPos: opTok.pos };
    if (op === 'exists') return cmp;
    if (op === 'in') {
      if (this.cur().kind !== '(') this.fail(this.cur(), `'(' and a list of values after 'in'`);
      this.next();
      for (;;) {
        cmp.values.push(this.value(`a value or a list name in 'in (...)'`));
        if (this.cur().kind === ',') {
          this.next();
          continue;
        }
        if (this.cur().kind === ')') break;
        this.fail(this.cur(), `',' or ')' in the list after 'in'`);
      }
      this.next();
      return cmp;
    }
    cmp.values.push(this.value(`a value after '${opTok.text}'`));
    return cmp;
  }

  private value(expected: string): Value {
    const t = this.cur();
    if (t.kind === 'string') {
      this.next();
      return { text: t.text, quoted: true, pos: t.pos };
    }
    if (t.kind === 'word' && !KEYWORDS.has(t.text)) {
      this.next();
      return { text: t.text, quoted: false, pos: t.pos };
    }
    return this.fail(t, expected);
  }
}

/**
 * Parses a token list (from `tokenize`, possibly several joined) into an expression.
 * `isField` only sharpens error messages (a field name followed by a non-operator).
 */
export function parseCondition(tokens: Token[], isField: (name: string) => boolean = () => false): Expr {
  return new Parser(tokens, isField).parseAll();
}
