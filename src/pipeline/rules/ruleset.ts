/**
 * Merges rules items from every file in order and compiles them, in Falco's spirit:
 * an item with the name of an earlier one replaces it, `append: true` adds to it (list
 * items; macro and rule conditions, as text after the old condition; rule exceptions), a
 * rule item with only `enabled` switches an earlier rule on or off. Names are resolved
 * after every file is read, so the order of definitions does not matter.
 */
import { PositionedError, type Diagnostics, type SourcePos } from '../diagnostics.js';
import { resolve, toTest, type Resolved, type Scope, type Test } from './compile.js';
import type { Action, ExceptionItem, Priority, RuleItem, RulesItem, Segment } from './items.js';
import { parseCondition, type Expr, type Value } from './parser.js';
import { looksLikeField } from './fields.js';
import { compileTemplate, type Template } from './template.js';
import { tokenize, type Token } from './tokenizer.js';

export interface CompiledRule {
  name: string;
  desc?: string;
  priority: Priority;
  tags: string[];
  enabled: boolean;
  action: Action;
  /** Condition and not any exception. */
  test: Test;
  /** The condition with exceptions, resolved: what needs.ts reads. */
  resolved: Resolved;
  output?: Template;
  pos: SourcePos;
}

interface MergedRule {
  first: RuleItem;
  segments: Segment[];
  item: RuleItem;
  exceptions: ExceptionItem[];
  enabled: boolean;
}

/** The profile facts names are checked against. */
export type ProfileScope = Omit<Scope, 'lists' | 'macros'>;

/** Merges and compiles `items`; errors go to `diag` and the rules they spoil are left out. */
export function buildRuleSet(items: readonly RulesItem[], profile: ProfileScope, diag: Diagnostics): CompiledRule[] {
  const lists = new Map<string, { pos: SourcePos; items: Value[] }>();
  const macros = new Map<string, { pos: SourcePos; segments: Segment[] }>();
  const rules = new Map<string, MergedRule>();
  for (const it of items) {
    diag.guard(() => {
      if (it.kind === 'list') {
        const old = lists.get(it.name);
        if (it.append && !old) throw new PositionedError(it.pos, `list '${it.name}' is not defined before this append`);
        lists.set(it.name, { pos: old?.pos ?? it.pos, items: it.append ? [...old!.items, ...it.items] : it.items });
      } else if (it.kind === 'macro') {
        const old = macros.get(it.name);
        if (it.append && !old) throw new PositionedError(it.pos, `macro '${it.name}' is not defined before this append`);
        macros.set(it.name, { pos: old?.pos ?? it.pos, segments: it.append ? [...old!.segments, it.condition] : [it.condition] });
      } else mergeRule(rules, it);
    });
  }
  const flatLists = new Map<string, Value[]>();
  for (const name of lists.keys()) diag.guard(() => flatLists.set(name, flattenList(name, lists, [])));
  const parsedMacros = new Map<string, Expr>();
  for (const [name, m] of macros) {
    const e = diag.guard(() => parseSegments(m.segments));
    if (e) parsedMacros.set(name, e);
  }
  const scope: Scope = { ...profile, lists: flatLists, macros: parsedMacros };
  // Check every macro on its own, so an unused one is checked too; the same error met again
  // through a rule is recorded once.
  for (const [name, e] of parsedMacros) diag.guard(() => resolve(e, scope, [name]));
  const out: CompiledRule[] = [];
  for (const r of rules.values()) {
    // The condition and the output are checked apart, so both report their errors.
    const c = diag.guard(() => compileRule(r, scope));
    const output = r.item.output;
    const tpl = output ? diag.guard(() => compileTemplate(output.text, output.posAt, scope.argNames)) : undefined;
    if (c && (tpl || !output)) {
      if (tpl) c.output = tpl;
      out.push(c);
    }
  }
  return out;
}

function mergeRule(rules: Map<string, MergedRule>, it: RuleItem): void {
  const old = rules.get(it.name);
  if (it.append) {
    if (!old) throw new PositionedError(it.pos, `rule '${it.name}' is not defined before this append`);
    for (const k of it.keys) {
      if (!['rule', 'append', 'condition', 'exceptions'].includes(k)) throw new PositionedError(it.pos, `an append to rule '${it.name}' can add only 'condition' and 'exceptions', not '${k}'`);
    }
    if (it.condition) old.segments.push(it.condition);
    for (const e of it.exceptions ?? []) {
      const same = old.exceptions.find((x) => x.name === e.name);
      if (same) same.values.push(...e.values);
      else old.exceptions.push(e);
    }
    return;
  }
  const onlyEnabled = [...it.keys].every((k) => k === 'rule' || k === 'enabled');
  if (onlyEnabled && it.enabled !== undefined) {
    if (!old) throw new PositionedError(it.pos, `rule '${it.name}' is not defined earlier; a new rule needs a condition`);
    old.enabled = it.enabled;
    return;
  }
  if (!it.condition) throw new PositionedError(it.pos, `expected 'condition' in rule '${it.name}'`);
  const action = it.action ?? 'log';
  if (!it.output && action !== 'count') throw new PositionedError(it.pos, `expected 'output' in rule '${it.name}' (only action count can go without)`);
  const merged: MergedRule = { first: old?.first ?? it, segments: [it.condition], item: it, exceptions: [...(it.exceptions ?? [])], enabled: it.enabled ?? true };
  rules.set(it.name, merged);
}

function flattenList(name: string, lists: Map<string, { pos: SourcePos; items: Value[] }>, stack: string[]): Value[] {
  const l = lists.get(name)!;
  if (stack.includes(name)) throw new PositionedError(l.pos, `list '${name}' contains itself: ${[...stack, name].join(' -> ')}`);
  const out: Value[] = [];
  for (const v of l.items) {
    if (lists.has(v.text)) out.push(...flattenList(v.text, lists, [...stack, name]));
    else out.push(v);
  }
  return out;
}

/** Tokenizes each scalar with its own positions and parses the joined tokens. */
function parseSegments(segments: readonly Segment[]): Expr {
  const toks: Token[] = [];
  for (const s of segments) {
    const t = tokenize(s.text, s.posAt);
    toks.push(...t.slice(0, -1));
    if (s === segments[segments.length - 1]) toks.push(t[t.length - 1]!);
  }
  return parseCondition(toks, looksLikeField);
}

function compileRule(r: MergedRule, scope: Scope): CompiledRule {
  const it = r.item;
  let expr = parseSegments(r.segments);
  const exc = exceptionsExpr(r.exceptions);
  if (exc) expr = { kind: 'and', left: expr, right: { kind: 'not', expr: exc, pos: exc.pos }, pos: expr.pos };
  const resolved = resolve(expr, scope);
  const rule: CompiledRule = {
    name: it.name,
    priority: it.priority ?? 'warning',
    tags: it.tags ?? [],
    enabled: r.enabled,
    action: it.action ?? 'log',
    test: toTest(resolved),
    resolved,
    pos: r.first.pos,
  };
  if (it.desc !== undefined) rule.desc = it.desc;
  return rule;
}

/** Any tuple of any exception: `(f1 c1 v1 and f2 c2 v2) or ...`; undefined when none. */
function exceptionsExpr(excs: readonly ExceptionItem[]): Expr | undefined {
  let out: Expr | undefined;
  for (const e of excs) {
    for (const tuple of e.values) {
      let conj: Expr | undefined;
      tuple.forEach((v, i) => {
        const f = e.fields[i]!;
        const c = e.comps[i]!;
        const values = Array.isArray(v) ? v : [v];
        const cmp: Expr = { kind: 'cmp', field: f.name, op: c.op, values, pos: f.pos, opPos: c.pos };
        conj = conj ? { kind: 'and', left: conj, right: cmp, pos: f.pos } : cmp;
      });
      if (conj) out = out ? { kind: 'or', left: out, right: conj, pos: e.pos } : conj;
    }
  }
  return out;
}
