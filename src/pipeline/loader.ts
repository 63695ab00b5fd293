/**
 * Builds a pipeline from configs: reads them, compiles the rules, picks the plugins (the
 * CLI's default output when no config lists any), creates the built-ins, imports plugin
 * modules and checks their hooks against the profile's table. Every problem is collected
 * with its position and thrown together before the guest is touched.
 */
import { existsSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import type { SyscallTable } from '../decode/prototypes.js';
import { ERRNO } from '../decode/tables/errno.js';
import type { Profile } from '../profile/profile.js';
import { LineWriter } from '../trace/sinks.js';
import { loadConfigs, type PipelineConfig, type PluginEntry } from './config.js';
import { Diagnostics, PositionedError } from './diagnostics.js';
import { checkHooks, needsOfPlugin } from './hooks.js';
import { Outputs } from './outputs.js';
import { Pipeline, RunState, type LoadedPlugin } from './pipeline.js';
import type { Plugin, PluginApi, PluginFactory } from './plugin.js';
import type { BuiltinEnv } from './plugins/builtin.js';
import { argNamesOf } from './plugins/count.js';
import { BUILTINS } from './plugins/index.js';
import { buildRuleSet, type CompiledRule } from './rules/ruleset.js';

export interface PipelineSetup {
  profile: Profile;
  table: SyscallTable;
  /** Config files, in order. */
  configs: readonly string[];
  /** `-o FILE`: where output plugins write by default (stderr otherwise). */
  output?: string;
  /** `--json`: the default output is `jsonl` instead of `print`. */
  json?: boolean;
  /** `-c`: the default output is the `summary` table alone (strace -c). */
  summary?: boolean;
  prefix: boolean;
  quiet?: boolean;
  /** False for `systrace replay`. */
  live: boolean;
  /** Check only (`systrace validate`): plugins are created but write nowhere. */
  dryRun?: boolean;
}

export interface BuiltPipeline {
  pipeline: Pipeline;
  state: RunState;
  outputs: Outputs;
  config: PipelineConfig;
  /** Every compiled rule, enabled or not. */
  rules: CompiledRule[];
}

/** A writer that drops everything, for dry runs. */
class NullWriter extends LineWriter {
  override line(): void {}
  override end(): Promise<void> {
    return Promise.resolve();
  }
}

const stderrLine = (msg: string): void => void process.stderr.write(`systrace: ${msg}\n`);

/** Reads `setup.configs` and builds the pipeline; throws a ConfigError listing every problem. */
export async function buildPipeline(setup: PipelineSetup): Promise<BuiltPipeline> {
  const diag = new Diagnostics(setup.configs);
  const config = loadConfigs(setup.configs, diag);
  const rules = buildRuleSet(
    config.rules,
    {
      argNames: argNamesOf(setup.table),
      syscallNames: new Set(setup.table.all().map((s) => s.name)),
      errnoNames: new Set([...ERRNO.values()].map((e) => e[0])),
      profile: setup.profile.name,
    },
    diag,
  );
  const state = new RunState();
  const outputs = new Outputs(setup.output);
  const env: BuiltinEnv = { table: setup.table, prefix: setup.prefix, rules };
  const plugins: LoadedPlugin[] = [];
  for (const entry of chooseEntries(config, setup)) {
    const p = await createPlugin(entry, setup, env, state, outputs, diag);
    if (p) plugins.push(p);
  }
  diag.throwIfAny();
  const pipeline = new Pipeline(plugins, setup.table, state, stderrLine);
  return { pipeline, state, outputs, config, rules };
}

/** The configured plugins, or the CLI's default output; `rules` added when there are rules. */
function chooseEntries(config: PipelineConfig, setup: PipelineSetup): PluginEntry[] {
  const builtin = (name: string): PluginEntry => ({ id: name, kind: 'builtin', name, options: {}, enabled: true, pos: { file: '<command line>', line: 1, col: 1 } });
  const entries = config.plugins ? [...config.plugins] : [builtin(setup.summary ? 'summary' : setup.json ? 'jsonl' : 'print')];
  if (config.plugins && setup.json && !entries.some((e) => e.id === 'jsonl')) entries.unshift(builtin('jsonl'));
  if (config.rules.length > 0 && !entries.some((e) => e.id === 'rules')) entries.push(builtin('rules'));
  return entries.filter((e) => e.enabled);
}

async function createPlugin(entry: PluginEntry, setup: PipelineSetup, env: BuiltinEnv, state: RunState, outputs: Outputs, diag: Diagnostics): Promise<LoadedPlugin | undefined> {
  const b = entry.kind === 'builtin' ? BUILTINS.get(entry.name) : undefined;
  const outFile = (entry.options.output as string | undefined) ?? b?.defaultOutput;
  const api = makeApi(entry.name, entry.options, setup, state, () => (setup.dryRun ? new NullWriter() : outputs.get(outFile)));
  try {
    if (b) return { name: entry.name, plugin: b.create(entry.options, api, env), api, needs: b.needs(entry.options, env) };
    const plugin = await importPlugin(entry, api);
    for (const problem of checkHooks(plugin, setup.table)) diag.add(entry.pos, `plugin ${entry.path}: ${problem}`);
    return { name: plugin.name ?? entry.name, plugin, api, needs: needsOfPlugin(plugin, setup.table) };
  } catch (e) {
    if (e instanceof PositionedError) diag.add(e.pos, e.message);
    else diag.add(entry.pos, `plugin ${entry.kind === 'module' ? entry.path : entry.name}: ${e instanceof Error ? e.message : String(e)}`);
    return undefined;
  }
}

function makeApi(name: string, options: Record<string, unknown>, setup: PipelineSetup, state: RunState, writerOf: () => LineWriter): PluginApi {
  let writer: LineWriter | undefined;
  const p = setup.profile;
  return {
    name,
    options: Object.freeze({ ...options }),
    profile: { name: p.name, os: p.os, arch: p.arch, wordSize: p.wordSize },
    live: setup.live,
    getSyscallInfo: (no) => setup.table.getSyscallInfo(no),
    getSyscallMeta: () => setup.table.getSyscallMeta(),
    get writer() {
      return (writer ??= writerOf());
    },
    out(line) {
      this.writer.line(line);
    },
    info: (m) => {
      if (!setup.quiet) stderrLine(m);
    },
    fail: (reason) => state.fail(reason),
    stop: (reason) => state.stop(reason),
  };
}

async function importPlugin(entry: PluginEntry, api: PluginApi): Promise<Plugin> {
  const path = entry.path!;
  if (/\.[cm]?ts$/.test(path)) {
    throw new PositionedError(entry.pos, `plugin ${path}: TypeScript plugins are compiled first (tsc) and the config names the .js file: Node 20 cannot import TypeScript (see docs/plugins.md)`);
  }
  if (!existsSync(path)) throw new PositionedError(entry.pos, `cannot load plugin ${path}: no such file`);
  let mod: { default?: unknown };
  try {
    mod = (await import(pathToFileURL(path).href)) as { default?: unknown };
  } catch (e) {
    throw new PositionedError(entry.pos, `cannot load plugin ${path}: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`);
  }
  const exp = mod.default;
  let plugin: unknown = exp;
  if (typeof exp === 'function') plugin = await (exp as PluginFactory)(api.options, api);
  if (plugin === null || typeof plugin !== 'object') {
    throw new PositionedError(entry.pos, `plugin ${path}: expected a default export: a plugin object, or a factory (options, api) => plugin${typeof exp === 'function' ? ' (the factory returned ' + (plugin === null ? 'null' : typeof plugin) + ')' : ''}`);
  }
  return plugin as Plugin;
}
