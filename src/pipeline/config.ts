/**
 * Pipeline configs (`--config FILE`, several allowed): which plugins run, with options, and
 * rules. A file is either a mapping
 *
 *     plugins: [print, {name: summary, output: summary.txt}, {path: ./mine.js, options: {...}}]
 *     rules: [{rule: ..., condition: ..., output: ...}, ./more.rules.yaml]
 *
 * or a Falco-style rules file: a list of `- list:`, `- macro:`, `- rule:` items. Later files
 * append: a plugin named again replaces the earlier entry's options (`enabled: false`
 * removes it), rules items merge as ruleset.ts says. Paths are relative to the file that
 * names them.
 */
import { basename, dirname, resolve } from 'node:path';
import { isScalar, isSeq, type Node, type YAMLMap } from 'yaml';
import { PositionedError, type Diagnostics, type SourcePos } from './diagnostics.js';
import { BUILTINS } from './plugins/index.js';
import { readItem, type RulesItem } from './rules/items.js';
import { YamlSource } from './yaml-source.js';

export interface PluginEntry {
  /** Identity for overrides: the built-in's name, the entry's `name`, or the module's path. */
  id: string;
  kind: 'builtin' | 'module';
  name: string;
  /** Absolute module path (kind module). */
  path?: string;
  /** Options as plain values; `output` and path-typed options resolved to absolute paths. */
  options: Record<string, unknown>;
  enabled: boolean;
  pos: SourcePos;
}

export interface PipelineConfig {
  files: string[];
  /** Undefined when no file has a `plugins` key (the CLI's default output then applies). */
  plugins: PluginEntry[] | undefined;
  rules: RulesItem[];
}

const TOP_KEYS = ['plugins', 'rules'];
const ENTRY_KEYS = ['name', 'path', 'options', 'output', 'enabled'];

/** Reads every file in order; problems go to `diag` (the caller throws). */
export function loadConfigs(files: readonly string[], diag: Diagnostics): PipelineConfig {
  const cfg: PipelineConfig = { files: [...files], plugins: undefined, rules: [] };
  for (const file of files) diag.guard(() => loadOne(file, cfg, diag));
  return cfg;
}

function loadOne(file: string, cfg: PipelineConfig, diag: Diagnostics): void {
  const src = YamlSource.load(file);
  const root = src.root;
  if (root === undefined || (isScalar(root) && root.value === null)) return;
  if (isSeq(root)) return readRules(src, root.items as Node[], cfg, diag);
  const m = src.map(root, "a config: a mapping with 'plugins' and/or 'rules', or a list of rules items");
  diag.guard(() => src.checkKeys(m, TOP_KEYS, 'a config'));
  const plugins = src.node(m, 'plugins');
  if (plugins !== undefined) {
    cfg.plugins ??= [];
    for (const n of src.seq(plugins, "'plugins'").items as Node[]) {
      const e = diag.guard(() => readEntry(src, n));
      if (e) mergeEntry(cfg.plugins, e);
    }
  }
  const rules = src.node(m, 'rules');
  if (rules !== undefined) readRules(src, src.seq(rules, "'rules'").items as Node[], cfg, diag);
}

/**
 * Rules items, or paths of rules files (relative to `src`) read in their place. `including`
 * holds the files being read on the way here: a file that includes itself, directly or not,
 * is an error at the include, not an endless recursion.
 */
function readRules(src: YamlSource, items: Node[], cfg: PipelineConfig, diag: Diagnostics, including: readonly string[] = [resolve(src.file)]): void {
  for (const n of items) {
    if (isScalar(n) && typeof n.value === 'string') {
      diag.guard(() => {
        const path = resolve(dirname(src.file), n.value as string);
        if (including.includes(path)) throw new PositionedError(src.pos(n), `${n.value as string} includes itself (through ${including.map((f) => basename(f)).join(' -> ')})`);
        const sub = YamlSource.load(path, src.pos(n));
        const root = sub.root;
        if (root === undefined || (isScalar(root) && root.value === null)) return;
        readRules(sub, sub.seq(root, 'a rules file (a list of list, macro and rule items)').items as Node[], cfg, diag, [...including, path]);
      });
      continue;
    }
    const it = diag.guard(() => readItem(src, n));
    if (it) cfg.rules.push(it);
  }
}

function mergeEntry(list: PluginEntry[], e: PluginEntry): void {
  const i = list.findIndex((x) => x.id === e.id);
  if (i < 0) list.push(e);
  else list[i] = { ...e, pos: list[i]!.pos };
}

const looksLikePath = (s: string): boolean => s.includes('/') || /\.(m?js|cjs|m?ts|cts)$/.test(s);

function readEntry(src: YamlSource, n: Node): PluginEntry {
  const dir = dirname(src.file);
  const pos = src.pos(n);
  if (isScalar(n)) {
    const s = src.str(n, 'a plugin name or path');
    return looksLikePath(s) ? moduleEntry(src, n, resolve(dir, s), undefined, true) : builtinEntry(src, n, s, undefined, true);
  }
  const m = src.map(n, 'a plugin: a name, a path, or a mapping with name/path/options');
  src.checkKeys(m, ENTRY_KEYS, 'a plugin entry');
  const name = m.has('name') ? src.str(src.node(m, 'name'), "'name'") : undefined;
  const enabled = m.has('enabled') ? src.bool(src.node(m, 'enabled'), "'enabled'") : true;
  const optNode = src.node(m, 'options');
  const opts = optNode === undefined ? undefined : src.map(optNode, "'options'");
  if (m.has('path')) {
    const p = src.str(src.node(m, 'path'), "'path'");
    const e = moduleEntry(src, n, resolve(dir, p), opts, enabled);
    if (name) {
      e.name = name;
      e.id = name;
    }
    applyOutput(src, m, e, dir);
    return e;
  }
  if (!name) throw new PositionedError(pos, "expected 'name' (a built-in plugin) or 'path' (a plugin module)");
  const e = builtinEntry(src, src.node(m, 'name')!, name, opts, enabled);
  applyOutput(src, m, e, dir);
  return e;
}

/** `output:` may sit on the entry or in its options. */
function applyOutput(src: YamlSource, m: YAMLMap, e: PluginEntry, dir: string): void {
  if (m.has('output')) e.options.output = resolveOut(src.str(src.node(m, 'output'), "'output'"), dir);
}

const resolveOut = (p: string, dir: string): string => (p === '-' ? p : resolve(dir, p));

function builtinEntry(src: YamlSource, at: Node, name: string, opts: YAMLMap | undefined, enabled: boolean): PluginEntry {
  const b = BUILTINS.get(name);
  if (!b) src.fail(at, `unknown built-in plugin '${name}' (built-ins: ${[...BUILTINS.keys()].join(', ')}; a module is named by a path, e.g. ./my-plugin.js)`);
  const options: Record<string, unknown> = {};
  const dir = dirname(src.file);
  for (const item of opts?.items ?? []) {
    const key = isScalar(item.key) ? String(item.key.value) : '';
    const type = key === 'output' ? 'path' : b.options[key];
    const v = item.value as Node | null;
    if (!type) src.fail(item.key as Node, `unknown option '${key}' for plugin ${name} (options: ${['output', ...Object.keys(b.options)].join(', ')})`);
    const value = isScalar(v) ? v.value : undefined;
    const ok = type === 'boolean' ? typeof value === 'boolean' : type === 'number' ? typeof value === 'number' : typeof value === 'string' && value !== '';
    if (!ok) src.fail(v ?? (item.key as Node), `expected ${type === 'path' ? 'a path' : `a ${type}`} for option '${key}' of plugin ${name}`);
    options[key] = type === 'path' ? resolveOut(value as string, dir) : value;
  }
  return { id: name, kind: 'builtin', name, options, enabled, pos: src.pos(at) };
}

function moduleEntry(src: YamlSource, at: Node, path: string, opts: YAMLMap | undefined, enabled: boolean): PluginEntry {
  const options = (opts?.toJSON() ?? {}) as Record<string, unknown>;
  if (typeof options.output === 'string') options.output = resolveOut(options.output, dirname(src.file));
  return { id: path, kind: 'module', name: path.split('/').pop()!.replace(/\.[cm]?[jt]s$/, ''), path, options, enabled, pos: src.pos(at) };
}
