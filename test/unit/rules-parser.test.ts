/**
 * Rule conditions: tokens, the grammar (precedence of not/and/or, parentheses, in-lists),
 * and parse errors that point at file:line:column, in every YAML scalar style.
 */
import t from 'tap';
import { PositionedError } from '../../src/pipeline/diagnostics.js';
import { parseCondition, type Expr } from '../../src/pipeline/rules/parser.js';
import { tokenize } from '../../src/pipeline/rules/tokenizer.js';
import { alignValue } from '../../src/pipeline/yaml-source.js';
import { compile } from '../fixtures/pipeline/helpers.js';

const at = (i: number) => ({ file: 'x', line: 1, col: i + 1 });

/** The PositionedError `fn` throws, or undefined. */
function thrown(fn: () => unknown): PositionedError | undefined {
  try {
    fn();
  } catch (e) {
    if (e instanceof PositionedError) return e;
    throw e;
  }
  return undefined;
}
const parse = (text: string): Expr => parseCondition(tokenize(text, at));

/** The expression as a Lisp-ish string, to compare shapes. */
function show(e: Expr): string {
  switch (e.kind) {
    case 'and':
    case 'or':
      return `(${e.kind} ${show(e.left)} ${show(e.right)})`;
    case 'not':
      return `(not ${show(e.expr)})`;
    case 'ref':
      return e.name;
    case 'const':
      return String(e.value);
    case 'cmp':
      return `[${e.field} ${e.op}${e.values.map((v) => ' ' + (v.quoted ? JSON.stringify(v.text) : v.text)).join('')}]`;
  }
}

t.test('tokens: words, strings, symbols, positions', async (t) => {
  const toks = tokenize(`arg.filename!='/a b' and ret>=-1 or x in ("q\\"r",y)`, at);
  t.same(
    toks.map((k) => [k.kind, k.text, k.pos.col]),
    [
      ['word', 'arg.filename', 1], ['op', '!=', 13], ['string', '/a b', 15], ['word', 'and', 22], ['word', 'ret', 26], ['op', '>=', 29], ['word', '-1', 31],
      ['word', 'or', 34], ['word', 'x', 37], ['word', 'in', 39], ['(', '(', 42], ['string', 'q"r', 43], [',', ',', 49], ['word', 'y', 50], [')', ')', 51], ['eof', '', 52],
    ],
  );
  t.throws(() => tokenize('a ! b', at), { message: /expected '!='/ });
  const e = thrown(() => tokenize(`a = 'open`, at));
  t.equal(e?.pos.col, 5, 'an unclosed string is reported where it starts');
  t.match(e?.message, /expected a closing '/);
});

t.test('precedence: not > and > or, parentheses override', async (t) => {
  t.equal(show(parse('a or b and not c')), '(or a (and b (not c)))');
  t.equal(show(parse('(a or b) and c')), '(and (or a b) c)');
  t.equal(show(parse('not not a')), '(not (not a))');
  t.equal(show(parse('a and b and c')), '(and (and a b) c)', 'and is left-associative');
  t.equal(show(parse('syscall.name == openat')), '[syscall.name = openat]', '== is =');
  t.equal(show(parse('syscall.name in (open, "openat", l)')), '[syscall.name in open "openat" l]');
  t.equal(show(parse('errno exists and not ret < 0')), '(and [errno exists] (not [ret < 0]))');
  t.equal(show(parse('arg.filename glob /etc/*')), '[arg.filename glob /etc/*]');
});

t.test('parse errors name the place and what was expected', async (t) => {
  const cases: [string, number, RegExp][] = [
    ['', 1, /expected a condition, got the end/],
    ['a and', 6, /expected a field, a macro name, 'not' or '\(', got the end/],
    ['(a or b', 8, /expected '\)' to close the '\(' at 1:1/],
    ['syscall.name in open', 17, /expected '\(' and a list of values after 'in'/],
    ['syscall.name in (a b)', 20, /expected ',' or '\)'/],
    ['ret <', 6, /expected a value after '<'/],
    ['syscall.name equals x', 14, /expected an operator after 'syscall.name'/],
    ['a b', 3, /expected 'and', 'or', '\)' or the end/],
    ['ret = and', 7, /expected a value after '='/],
    ['= 3', 1, /expected a field/],
  ];
  for (const [text, col, msg] of cases) {
    const e = thrown(() => parse(text));
    t.equal(e?.pos.col, col, `${JSON.stringify(text)}: column`);
    t.match(e?.message, msg, `${JSON.stringify(text)}: message`);
  }
});

t.test('positions map back to the YAML file in every scalar style', async (t) => {
  const { errors } = compile(
    [
      '- rule: plain',
      '  condition: syscall.name = openat and',
      '    ret < nope',
      '  output: x',
      "- rule: single",
      "  condition: 'evt.dir = enter and ret < ''x'''",
      '  output: x',
      '- rule: double',
      '  condition: "evt.dir = enter and bogus.field = 1"',
      '  output: x',
      '- rule: folded',
      '  condition: >',
      '    evt.dir = enter',
      '    and errno = ENOENTT',
      '  output: x',
      '- rule: literal',
      '  condition: |',
      '    evt.dir = enter and',
      '      (cpu = 1',
      '  output: x',
    ].join('\n'),
  );
  t.same(errors, [
    "rules.yaml:3:11: expected a number for ret (decimal or 0x...), got 'nope'",
    "rules.yaml:6:41: expected a number for ret (decimal or 0x...), got 'x'",
    'rules.yaml:9:35: ' + errors[2]!.slice('rules.yaml:9:35: '.length),
    "rules.yaml:14:17: unknown errno name 'ENOENTT' (did you mean ENOENT?)",
    "rules.yaml:19:15: expected ')' to close the '(' at 19:7, got the end of the condition",
  ]);
  t.match(errors[2], /^rules\.yaml:9:35: unknown field 'bogus\.field'; known fields: evt\.dir/);
});

t.test('alignValue: each value character to its source offset', async (t) => {
  const src = 'k: >\n  ab\n  cd\n';
  const start = src.indexOf('>');
  const offs = alignValue(src, start, src.length, 'ab cd\n', 'BLOCK_FOLDED');
  t.same(offs.slice(0, 5).map((o) => src[o]), ['a', 'b', '\n', 'c', 'd']);
  const q = `k: "a\\"b"`;
  const qo = alignValue(q, 3, q.length, 'a"b', 'QUOTE_DOUBLE');
  t.same(qo.slice(0, 3), [4, 6, 7], 'an escape is skipped over');
});
