/** The built-in plugins, by name. A new one: copy ./_template.ts, describe it as a BuiltinPlugin, add it here. */
import type { BuiltinPlugin } from './builtin.js';
import { count } from './count.js';
import { filereadmon } from './filereadmon.js';
import { jsonl } from './jsonl.js';
import { print } from './print.js';
import { rules } from './rules.js';
import { summary } from './summary.js';

export const BUILTINS: ReadonlyMap<string, BuiltinPlugin> = new Map([print, jsonl, summary, count, filereadmon, rules].map((p) => [p.name, p]));
