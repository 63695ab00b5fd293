/**
 * Fuzz target: the pipeline's config and rules loader (src/pipeline/config.ts loadConfigs,
 * then rules/ruleset.ts buildRuleSet, as `systrace validate` runs them) on mutations of the
 * shipped examples: the docs' config and rules file, the fixture rules file. Each input is
 * written to a file of its own directory (the loader reads files; a rules item that is a
 * string names another file, and `common.rules.yaml` is there to be named). The result
 * must be compiled rules, or a ConfigError whose every issue names `file:line:column` in
 * one of those files; never another exception.
 *
 * Long lines are rarer than for the other parsers: a word of a few thousand characters where a
 * syscall, field or macro name belongs costs a second or more of "did you mean" edit
 * distances (reported to the owner of src/pipeline).
 *
 * Two bugs it found are fixed and have their own tests in fuzz-pipeline-config.test.ts: the
 * yaml package's stack overflow on nesting a few thousand deep, and a rules file that includes
 * itself; any RangeError now fails the run.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parsePrototypes } from '../../../src/decode/prototypes.js';
import { ERRNO } from '../../../src/decode/tables/errno.js';
import { loadConfigs } from '../../../src/pipeline/config.js';
import { ConfigError, Diagnostics } from '../../../src/pipeline/diagnostics.js';
import { argNamesOf } from '../../../src/pipeline/plugins/count.js';
import { buildRuleSet, type ProfileScope } from '../../../src/pipeline/rules/ruleset.js';
import { dataDir } from '../../../src/util/paths.js';
import { mutate } from '../mutate.js';
import { privateTmpdir } from '../stub-guest.js';
import { tableFiles } from '../tables.js';
import { check, show, type FuzzTarget } from '../target.js';

const DOC_CONFIG = `plugins:
  - print                              # a built-in, by name
  - name: summary                      # a built-in with an output of its own
    output: summary.txt
  - name: count
    options: {by: errno}
  - path: ./plugins/my-plugin.js       # a plugin module, by path
    options: {threshold: 3}
  - name: rules                        # where rule output goes in the order (optional)
rules:
  - ./common.rules.yaml                # a rules file, read here
  - rule: shadow-read
    condition: syscall.name = openat and arg.filename = /etc/shadow
    output: "%arg.filename opened by asid %asid"
`;

const DOC_RULES = `- list: secret_files
  items: [/etc/shadow, /etc/gshadow]

- macro: open_call
  condition: syscall.name in (open, openat, openat2)

- rule: secret-open
  desc: a secret file was opened
  condition: open_call and evt.dir = return and arg.filename in (secret_files)
  output: "%syscall.name(%arg.filename) = %ret by asid %asid on cpu%cpu"
  priority: critical
  tags: [files]
  action: fail
  exceptions:
    - name: root-tools
      fields: [proc.name]
      values: [[passwd]]
`;

const TOKENS = [
  '~', 'null', '[]', '{}', '- ', ': ', '? ', '&a ', '*a', '!!str ', '!!int ', '---', '|', '>', '"', "'", '%', '%%', '%{', '%ret', '%arg.', '%{arg.filename}',
  'and', 'or', 'not', '(', ')', ',', '=', '!=', '<', '<=', '>', '>=', 'in', 'startswith', 'endswith', 'contains', 'icontains', 'glob', 'exists', 'pmatch', 'intersects',
  'syscall.name', 'evt.dir', 'arg.filename', 'arg.fd', 'arg.', 'arg.0', 'errno', 'ret', 'proc.name', 'proc.pid', 'asid', 'cpu', 'ENOENT', 'EBADF', 'return', 'entry',
  'rule', 'macro', 'list', 'items', 'condition', 'output', 'priority', 'action', 'enabled', 'append', 'exceptions', 'fields', 'values', 'comps', 'name', 'desc', 'tags',
  'plugins', 'rules', 'path', 'options', 'fail', 'count', 'print', 'summary', 'jsonl', 'error', 'critical', 'debug', 'true', 'false',
  './common.rules.yaml', 'common.rules.yaml', './missing.yaml', '.', '..', '0x10', '-1', '1e400', '__proto__', 'constructor', 'toString',
];

interface State {
  dir: string;
  seeds: string[];
  tokens: string[];
  scope: ProfileScope;
}

const SPECIAL = ':-[]{},#&*!|>\'"%()=<> \t\n';

export const target: FuzzTarget<State> = {
  setup() {
    const dir = privateTmpdir();
    writeFileSync(join(dir, 'common.rules.yaml'), DOC_RULES);
    let fixture = '';
    try {
      fixture = readFileSync(join(dataDir(), 'test', 'fixtures', 'pipeline', 'fail-missing.rules.yaml'), 'utf8');
    } catch {
      /* the docs' examples are enough */
    }
    const seeds = [DOC_CONFIG, DOC_RULES, ...(fixture ? [fixture] : [])];
    const tokens = new Set(TOKENS);
    for (const s of seeds) for (const m of s.matchAll(/[A-Za-z_][\w.]*/g)) tokens.add(m[0]);
    const t = tableFiles().find((f) => f.name === 'linux_x64.txt')!;
    const table = parsePrototypes(t.text, t.path, t.wordSize, t.renames);
    const scope: ProfileScope = {
      argNames: argNamesOf(table),
      syscallNames: new Set(table.all().map((s) => s.name)),
      errnoNames: new Set([...ERRNO.values()].map((e) => e[0])),
      profile: 'linux_x64',
    } as ProfileScope;
    return { dir, seeds, tokens: [...tokens], scope };
  },

  run(rng, st) {
    const base = rng.pick(st.seeds);
    const text = rng.chance(0.03) ? base : mutate(rng, base, st.tokens, SPECIAL, 3, 0.003, 60);
    const file = join(st.dir, 'fuzz.yaml');
    writeFileSync(file, text);
    const where = show(text, 300);
    const diag = new Diagnostics([file]);
    try {
      const cfg = loadConfigs([file], diag);
      const rules = buildRuleSet(cfg.rules, st.scope, diag);
      diag.throwIfAny();
      check(Array.isArray(rules), `${where}: no rules array`);
      for (const r of rules) check(typeof r.name === 'string' && typeof r.test === 'function', () => `${where}: a compiled rule without a name or test: ${JSON.stringify(r.name)}`);
      return 'rules';
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e;
      const files = [file, join(st.dir, 'common.rules.yaml')];
      const nLines = text.split(/\r\n|\r|\n/).length;
      check(e.issues.length > 0, `${where}: a ConfigError without issues`);
      for (const i of e.issues) {
        check(files.includes(i.pos.file), `${where}: an issue in ${i.pos.file}: ${i.message}`);
        check(Number.isInteger(i.pos.line) && i.pos.line >= 1 && (i.pos.file !== file || i.pos.line <= nLines + 1), `${where}: an issue at line ${i.pos.line} of ${nLines}: ${i.message}`);
        check(Number.isInteger(i.pos.col) && i.pos.col >= 1, `${where}: an issue at column ${i.pos.col}: ${i.message}`);
        check(typeof i.message === 'string' && i.message.length > 0, `${where}: an issue without a message`);
      }
      check(e.message.split('\n').every((l) => /^.+:\d+:\d+: \S/.test(l)), () => `${where}: message lines not all 'file:line:column: ...': ${show(e.message)}`);
      return 'ConfigError';
    }
  },

  teardown(st) {
    rmSync(st.dir, { recursive: true, force: true });
  },
};
