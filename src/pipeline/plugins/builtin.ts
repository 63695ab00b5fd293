/**
 * How a built-in plugin is described: its options (checked against the config with
 * positions) and a constructor that gets what only built-ins need (the prototype table,
 * the CLI's output flags, the compiled rules).
 */
import type { SyscallTable } from '../../decode/prototypes.js';
import type { Plugin, PluginApi } from '../plugin.js';
import type { CompiledRule } from '../rules/ruleset.js';

/** Option types a built-in accepts. `path` is a string resolved against the config's directory. */
export type OptionType = 'string' | 'number' | 'boolean' | 'path';

export interface BuiltinEnv {
  table: SyscallTable;
  /** `--no-prefix` turns it off. */
  prefix: boolean;
  /** Every enabled rule of every config, in order. */
  rules: readonly CompiledRule[];
}

export interface BuiltinPlugin {
  name: string;
  /** One line for `systrace validate` and docs. */
  summary: string;
  /** Accepted options and their types; every plugin also takes `output` (a path). */
  options: Readonly<Record<string, OptionType>>;
  /** Where it writes when no `output` option is given: `-` for stderr, undefined for the trace output (-o). */
  defaultOutput?: '-';
  /** Calls it must see: 'all' or short names. */
  needs(options: Readonly<Record<string, unknown>>, env: BuiltinEnv): 'all' | ReadonlySet<string>;
  create(options: Readonly<Record<string, unknown>>, api: PluginApi, env: BuiltinEnv): Plugin;
}
