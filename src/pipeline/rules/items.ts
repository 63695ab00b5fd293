/**
 * Reads the items of a rules list (a Falco rules file, or a config's `rules:` key):
 * `- list:`, `- macro:` and `- rule:` mappings, into plain records that keep the YAML
 * positions. Nothing is resolved here; ruleset.ts merges and compiles.
 */
import { isScalar, isSeq, type Node, type YAMLMap } from 'yaml';
import type { SourcePos } from '../diagnostics.js';
import type { PosMap, YamlSource } from '../yaml-source.js';
import { OPERATORS, type Operator, type Value } from './parser.js';

/** A condition or template scalar with its position map. */
export interface Segment {
  text: string;
  posAt: PosMap;
}

export interface ListItem {
  kind: 'list';
  name: string;
  pos: SourcePos;
  items: Value[];
  append: boolean;
}

export interface MacroItem {
  kind: 'macro';
  name: string;
  pos: SourcePos;
  condition: Segment;
  append: boolean;
}

/** One Falco exception: fields, their comparisons, and the tuples of values that excuse an event. */
export interface ExceptionItem {
  name: string;
  pos: SourcePos;
  fields: { name: string; pos: SourcePos }[];
  comps: { op: Operator; pos: SourcePos }[];
  /** One tuple per excusing case; a tuple element is a value or, for `in`, several. */
  values: (Value | Value[])[][];
}

/** Falco's priorities, most severe first. */
export const PRIORITIES = ['emergency', 'alert', 'critical', 'error', 'warning', 'notice', 'informational', 'debug'] as const;
export type Priority = (typeof PRIORITIES)[number];

/** What a matching rule does. */
export const ACTIONS = ['log', 'count', 'dump', 'stop', 'fail'] as const;
export type Action = (typeof ACTIONS)[number];

export interface RuleItem {
  kind: 'rule';
  name: string;
  pos: SourcePos;
  /** Keys present on this item (for partial overrides: `enabled` alone). */
  keys: Set<string>;
  desc?: string;
  condition?: Segment;
  output?: Segment;
  priority?: Priority;
  tags?: string[];
  enabled?: boolean;
  exceptions?: ExceptionItem[];
  action?: Action;
  append: boolean;
}

export type RulesItem = ListItem | MacroItem | RuleItem;

const RULE_KEYS = ['rule', 'desc', 'condition', 'output', 'priority', 'tags', 'enabled', 'exceptions', 'action', 'append'];

/** Reads every item of `seq`; problems are thrown as PositionedError (the caller collects). */
export function readItem(src: YamlSource, node: Node): RulesItem {
  const m = src.map(node, "a rules item ('- list:', '- macro:' or '- rule:')");
  const append = m.has('append') ? src.bool(src.node(m, 'append'), "'append'") : false;
  if (m.has('list')) {
    src.checkKeys(m, ['list', 'items', 'append'], 'a list');
    const items = src.seq(src.node(m, 'items'), "'items' of the list").items.map((it) => value(src, it as Node, 'list items'));
    return { kind: 'list', name: src.str(src.node(m, 'list'), 'a list name'), pos: src.pos(node), items, append };
  }
  if (m.has('macro')) {
    src.checkKeys(m, ['macro', 'condition', 'append'], 'a macro');
    if (!m.has('condition')) src.fail(node, "expected 'condition' in the macro");
    return { kind: 'macro', name: src.str(src.node(m, 'macro'), 'a macro name'), pos: src.pos(node), condition: src.scalarText(src.node(m, 'condition'), 'a condition'), append };
  }
  if (m.has('rule')) return readRule(src, m, node, append);
  return src.fail(node, "expected a rules item: a mapping with 'list', 'macro' or 'rule'");
}

function value(src: YamlSource, node: Node, what: string): Value {
  return { text: src.str(node, what), quoted: false, pos: src.pos(node) };
}

function readRule(src: YamlSource, m: YAMLMap, node: Node, append: boolean): RuleItem {
  src.checkKeys(m, RULE_KEYS, 'a rule');
  const r: RuleItem = { kind: 'rule', name: src.str(src.node(m, 'rule'), 'a rule name'), pos: src.pos(node), keys: new Set(), append };
  for (const it of m.items) if (isScalar(it.key)) r.keys.add(String(it.key.value));
  if (m.has('desc')) r.desc = src.str(src.node(m, 'desc'), "'desc'");
  if (m.has('condition')) r.condition = src.scalarText(src.node(m, 'condition'), 'a condition');
  if (m.has('output')) r.output = src.scalarText(src.node(m, 'output'), 'an output template');
  if (m.has('priority')) {
    const n = src.node(m, 'priority');
    const p = src.str(n, "'priority'").toLowerCase();
    const v = p === 'info' ? 'informational' : p;
    if (!(PRIORITIES as readonly string[]).includes(v)) src.fail(n, `expected a priority (${PRIORITIES.join(', ')}), got '${p}'`);
    r.priority = v as Priority;
  }
  if (m.has('tags')) r.tags = src.strList(src.node(m, 'tags'), "'tags'").map((t) => t.value);
  if (m.has('enabled')) r.enabled = src.bool(src.node(m, 'enabled'), "'enabled'");
  if (m.has('action')) {
    const n = src.node(m, 'action');
    const a = src.str(n, "'action'");
    if (!(ACTIONS as readonly string[]).includes(a)) src.fail(n, `expected an action (${ACTIONS.join(', ')}), got '${a}'`);
    r.action = a as Action;
  }
  if (m.has('exceptions')) r.exceptions = src.seq(src.node(m, 'exceptions'), "'exceptions'").items.map((e) => readException(src, e as Node));
  return r;
}

/**
 * Falco's two forms: `fields: [a, b]` with `comps` (default `=` each) and `values` a list
 * of tuples; or `fields: a` with `comps` (default `in`) and `values` a list of values.
 */
function readException(src: YamlSource, node: Node): ExceptionItem {
  const m = src.map(node, 'an exception');
  src.checkKeys(m, ['name', 'fields', 'comps', 'values'], 'an exception');
  const name = src.str(src.node(m, 'name'), 'an exception name');
  const fieldsNode = src.node(m, 'fields');
  if (!fieldsNode) src.fail(node, `expected 'fields' in exception '${name}'`);
  const single = isScalar(fieldsNode);
  const fields = src.strList(fieldsNode, "'fields'").map((f) => ({ name: f.value, pos: src.pos(f.node) }));
  const compsNode = src.node(m, 'comps');
  const comps = compsNode
    ? src.strList(compsNode, "'comps'").map((c) => {
        if (!(OPERATORS as readonly string[]).includes(c.value) || c.value === 'exists') src.fail(c.node, `expected a comparison operator, got '${c.value}'`);
        return { op: (c.value === '==' ? '=' : c.value) as Operator, pos: src.pos(c.node) };
      })
    : fields.map((f) => ({ op: (single ? 'in' : '=') as Operator, pos: f.pos }));
  if (comps.length !== fields.length) src.fail(compsNode, `expected ${fields.length} comps, one per field, got ${comps.length}`);
  const valuesNode = src.node(m, 'values');
  const values: (Value | Value[])[][] = [];
  if (valuesNode) {
    const items = src.seq(valuesNode, "'values'").items as Node[];
    if (single) {
      // One field: the values are the candidates for its comparison.
      if (comps[0]!.op === 'in') values.push([items.map((it) => value(src, it, 'exception values'))]);
      else for (const it of items) values.push([value(src, it, 'exception values')]);
    } else {
      for (const t of items) {
        const tuple = src.seq(t, `a tuple of ${fields.length} values`).items as Node[];
        if (tuple.length !== fields.length) src.fail(t, `expected ${fields.length} values (one per field: ${fields.map((f) => f.name).join(', ')}), got ${tuple.length}`);
        values.push(tuple.map((v, i) => (isSeq(v) || comps[i]!.op === 'in' ? inValues(src, v) : value(src, v, 'exception values'))));
      }
    }
  }
  return { name, pos: src.pos(node), fields, comps, values };
}

/** A tuple element for `in`: a YAML list of values, or one value (a list name, or a single item). */
function inValues(src: YamlSource, node: Node): Value[] {
  if (isSeq(node)) return node.items.map((it) => value(src, it as Node, 'exception values'));
  return [value(src, node, 'exception values')];
}
