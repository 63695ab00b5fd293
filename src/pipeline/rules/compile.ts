/**
 * From a parsed condition to a test over events: macros inlined, list names inside
 * `in (...)` expanded, fields resolved, literals converted to the field's type and checked
 * (a syscall name must exist in the profile, an errno name must be known), operators
 * checked against the field's type. Every error keeps its file:line:column.
 */
import type { EventView } from '../args.js';
import { PositionedError, type SourcePos } from '../diagnostics.js';
import { globToRegExp } from './glob.js';
import { closest, resolveField, type FieldDef, type FieldValue } from './fields.js';
import type { Expr, Operator, Value } from './parser.js';

export type Literal = string | bigint | boolean;

/** A condition after names are resolved: what needs.ts analyses and `test` runs. */
export type Resolved =
  | { kind: 'and' | 'or'; left: Resolved; right: Resolved }
  | { kind: 'not'; expr: Resolved }
  | { kind: 'const'; value: boolean }
  | { kind: 'cmp'; field: FieldDef; op: Operator; values: Literal[] };

/** What names resolve against. */
export interface Scope {
  /** List name -> its items, already flattened. */
  lists: ReadonlyMap<string, readonly Value[]>;
  /** Macro name -> its parsed condition. */
  macros: ReadonlyMap<string, Expr>;
  /** Argument names of the profile's prototypes. */
  argNames: ReadonlySet<string>;
  /** Short syscall names of the profile, for `syscall.name = ...` checks. */
  syscallNames: ReadonlySet<string>;
  /** Known errno names. */
  errnoNames: ReadonlySet<string>;
  /** Profile name for messages. */
  profile: string;
}

const STRING_OPS = new Set<Operator>(['contains', 'icontains', 'startswith', 'endswith', 'glob']);
const ORDER_OPS = new Set<Operator>(['<', '<=', '>', '>=']);

/** Resolves `e` against `scope`; throws PositionedError at the first problem. */
export function resolve(e: Expr, scope: Scope, macroStack: string[] = []): Resolved {
  switch (e.kind) {
    case 'and':
    case 'or':
      return { kind: e.kind, left: resolve(e.left, scope, macroStack), right: resolve(e.right, scope, macroStack) };
    case 'not':
      return { kind: 'not', expr: resolve(e.expr, scope, macroStack) };
    case 'const':
      return { kind: 'const', value: e.value };
    case 'ref':
      return resolveRef(e.name, e.pos, scope, macroStack);
    case 'cmp':
      return resolveCmp(e, scope);
  }
}

function resolveRef(name: string, pos: SourcePos, scope: Scope, stack: string[]): Resolved {
  const body = scope.macros.get(name);
  if (body) {
    if (stack.includes(name)) throw new PositionedError(pos, `macro '${name}' uses itself: ${[...stack, name].join(' -> ')}`);
    return resolve(body, scope, [...stack, name]);
  }
  const field = resolveField(name, scope.argNames);
  if (typeof field !== 'string') {
    if (field.kind === 'bool') return { kind: 'cmp', field, op: '=', values: [true] };
    throw new PositionedError(pos, `expected an operator after field '${name}'`);
  }
  const near = closest(name, scope.macros.keys());
  throw new PositionedError(pos, `unknown macro '${name}'${near ? ` (did you mean ${near}?)` : ''}; a comparison needs a field, an operator and a value`);
}

function resolveCmp(e: Extract<Expr, { kind: 'cmp' }>, scope: Scope): Resolved {
  const field = resolveField(e.field, scope.argNames);
  if (typeof field === 'string') throw new PositionedError(e.pos, field);
  const op = e.op;
  if (STRING_OPS.has(op) && field.kind !== 'string') {
    throw new PositionedError(e.opPos, `'${op}' compares text; ${field.name} is a ${field.kind}${field.arg !== undefined ? ` (use arg.${field.arg} for its text)` : ''}`);
  }
  if (ORDER_OPS.has(op) && field.kind !== 'number') {
    throw new PositionedError(e.opPos, `'${op}' compares numbers; ${field.name} is a ${field.kind}${field.arg !== undefined ? ` (use arg.${field.arg}.raw for its value)` : ''}`);
  }
  if (op !== 'in' && op !== 'exists' && e.values.length !== 1) throw new PositionedError(e.opPos, `'${op}' takes one value; use 'in' for several`);
  const items = op === 'in' ? expandLists(e.values, scope.lists) : e.values;
  return { kind: 'cmp', field, op, values: items.map((v) => literal(field, op, v, scope)) };
}

/** `in (a, list_name, b)`: a bare word naming a list stands for its items. */
function expandLists(values: readonly Value[], lists: Scope['lists']): Value[] {
  const out: Value[] = [];
  for (const v of values) {
    const items = v.quoted ? undefined : lists.get(v.text);
    if (items) out.push(...items);
    else out.push(v);
  }
  return out;
}

const NUMBER = /^-?(0x[0-9a-fA-F]+|\d+)$/;

function literal(field: FieldDef, op: Operator, v: Value, scope: Scope): Literal {
  if (field.kind === 'number') {
    if (!NUMBER.test(v.text)) throw new PositionedError(v.pos, `expected a number for ${field.name} (decimal or 0x...), got '${v.text}'`);
    const neg = v.text.startsWith('-');
    const n = BigInt(neg ? v.text.slice(1) : v.text);
    return neg ? -n : n;
  }
  if (field.kind === 'bool') {
    if (v.text !== 'true' && v.text !== 'false') throw new PositionedError(v.pos, `expected true or false for ${field.name}, got '${v.text}'`);
    return v.text === 'true';
  }
  if (op === '=' || op === '!=' || op === 'in') checkKnown(field, v, scope);
  return v.text;
}

/** Equality against a name that cannot occur is a typo: say so before the guest runs. */
function checkKnown(field: FieldDef, v: Value, scope: Scope): void {
  if (field.syscall === 'name' && !scope.syscallNames.has(v.text) && !/^syscall_0x[0-9a-f]+$/.test(v.text)) {
    const near = closest(v.text, scope.syscallNames);
    throw new PositionedError(v.pos, `no syscall '${v.text}' in profile ${scope.profile}${near ? ` (did you mean ${near}?)` : ''}`);
  }
  if (field.name === 'errno' && !scope.errnoNames.has(v.text)) {
    const near = closest(v.text, scope.errnoNames);
    throw new PositionedError(v.pos, `unknown errno name '${v.text}'${near ? ` (did you mean ${near}?)` : ''}`);
  }
  if (field.name === 'evt.dir' && v.text !== 'enter' && v.text !== 'return') {
    throw new PositionedError(v.pos, `expected enter or return for evt.dir, got '${v.text}'`);
  }
}

/** A compiled test. */
export type Test = (v: EventView) => boolean;

/** Turns a resolved condition into a function. */
export function toTest(r: Resolved): Test {
  switch (r.kind) {
    case 'and': {
      const a = toTest(r.left);
      const b = toTest(r.right);
      return (v) => a(v) && b(v);
    }
    case 'or': {
      const a = toTest(r.left);
      const b = toTest(r.right);
      return (v) => a(v) || b(v);
    }
    case 'not': {
      const a = toTest(r.expr);
      return (v) => !a(v);
    }
    case 'const':
      return () => r.value;
    case 'cmp':
      return cmpTest(r.field, r.op, r.values);
  }
}

function cmpTest(field: FieldDef, op: Operator, values: Literal[]): Test {
  const get = field.get;
  const one = values[0];
  if (op === 'exists') return (v) => get(v) !== undefined;
  const str = (x: FieldValue): x is string => typeof x === 'string';
  switch (op) {
    case '=':
    case '==':
      return (v) => get(v) === one;
    case '!=':
      return (v) => {
        const x = get(v);
        return x !== undefined && x !== one;
      };
    case 'in': {
      const set = new Set<Literal>(values);
      return (v) => {
        const x = get(v);
        return x !== undefined && set.has(x);
      };
    }
    case '<':
      return (v) => { const x = get(v); return typeof x === 'bigint' && x < (one as bigint); };
    case '<=':
      return (v) => { const x = get(v); return typeof x === 'bigint' && x <= (one as bigint); };
    case '>':
      return (v) => { const x = get(v); return typeof x === 'bigint' && x > (one as bigint); };
    case '>=':
      return (v) => { const x = get(v); return typeof x === 'bigint' && x >= (one as bigint); };
    case 'contains':
      return (v) => { const x = get(v); return str(x) && x.includes(one as string); };
    case 'icontains': {
      const low = (one as string).toLowerCase();
      return (v) => { const x = get(v); return str(x) && x.toLowerCase().includes(low); };
    }
    case 'startswith':
      return (v) => { const x = get(v); return str(x) && x.startsWith(one as string); };
    case 'endswith':
      return (v) => { const x = get(v); return str(x) && x.endsWith(one as string); };
    case 'glob': {
      const re = globToRegExp(one as string);
      return (v) => { const x = get(v); return str(x) && re.test(x); };
    }
  }
}
