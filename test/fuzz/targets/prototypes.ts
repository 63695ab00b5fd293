/**
 * Fuzz target: the prototype table parser, `parsePrototypes(text, file, wordSize)`, on
 * lines of the real prototypes/*.txt mutated by bytes, tokens and lines. The result must be
 * a table whose every entry is well-formed, or a UserError CONFIG_INVALID whose message
 * starts with `file:line:` naming a line of the input; never another exception.
 */
import { parsePrototypes, type SyscallTable } from '../../../src/decode/prototypes.js';
import { UserError } from '../../../src/util/errors.js';
import { mutate } from '../mutate.js';
import { tableFiles, type TableFile } from '../tables.js';
import { check, show, type FuzzTarget } from '../target.js';

interface State {
  tables: Array<TableFile & { lines: string[] }>;
  tokens: string[];
}

const SPECIAL = '()*,;[] \t/#_\r\0';

function checkTable(table: SyscallTable, wordSize: number, where: string): void {
  const meta = table.getSyscallMeta();
  check(Number.isFinite(meta.max) || meta.max === Number.POSITIVE_INFINITY, `${where}: meta.max ${meta.max}`);
  let prev = -1;
  for (const s of table.all()) {
    check(s.no >= prev, `${where}: all() not sorted`);
    prev = s.no;
    check(typeof s.name === 'string' && s.name.length > 0, () => `${where}: syscall ${s.no} has name ${typeof s.name === 'string' ? '""' : `of type ${typeof s.name}`}`);
    check(typeof s.fn === 'string' && /^\w+$/.test(s.fn), `${where}: syscall ${s.no} fn ${s.fn}`);
    check(typeof s.ret === 'string' && s.ret.length > 0, `${where}: syscall ${s.no} ret`);
    check(s.nargs === s.args.length, `${where}: syscall ${s.no} nargs ${s.nargs} != ${s.args.length}`);
    check(table.getSyscallInfo(s.no) === s, `${where}: getSyscallInfo(${s.no}) is another entry`);
    check(table.byShortName(s.name)?.name === s.name, `${where}: byShortName(${s.name})`);
    for (const a of s.args) {
      check(typeof a.type === 'string' && a.type.length > 0, `${where}: syscall ${s.no} argument without a type`);
      check(typeof a.name === 'string' && /^[A-Za-z_]\w*$/.test(a.name), `${where}: syscall ${s.no} argument name ${show(a.name)}`);
      check(typeof a.pointer === 'boolean' && typeof a.signed === 'boolean', `${where}: syscall ${s.no} argument flags`);
      check(a.size === 4 || a.size === 8 || a.size === wordSize, `${where}: syscall ${s.no} argument size ${a.size}`);
      check(!a.pointer || a.size === wordSize, `${where}: syscall ${s.no} pointer of size ${a.size}`);
    }
  }
}

export const target: FuzzTarget<State> = {
  setup() {
    const tables = tableFiles().map((t) => ({ ...t, lines: t.text.split('\n') }));
    const tokens = new Set<string>();
    for (const t of tables) for (const m of t.text.matchAll(/[A-Za-z_]\w*/g)) if (tokens.size < 4000) tokens.add(m[0]);
    tokens.add('void');
    tokens.add('__user');
    tokens.add('const');
    tokens.add('struct');
    return { tables, tokens: [...tokens] };
  },

  run(rng, st) {
    const t = rng.pick(st.tables);
    // A slice of the real file (its header comments included now and then), mutated.
    const start = rng.chance(0.1) ? 0 : rng.int(t.lines.length);
    const text0 = t.lines.slice(start, start + rng.range(1, 12)).join('\n');
    const text = rng.chance(0.05) ? text0 : mutate(rng, text0, st.tokens, SPECIAL);
    const wordSize = rng.chance(0.9) ? t.wordSize : t.wordSize === 8 ? 4 : 8;
    const renames = rng.chance(0.5) ? t.renames : {};
    const file = `prototypes/${t.name}`;
    const where = `${file} (word ${wordSize}) ${show(text, 200)}`;
    let table: SyscallTable;
    try {
      table = parsePrototypes(text, file, wordSize, renames);
    } catch (e) {
      if (!(e instanceof UserError)) throw e;
      check(e.code === 'CONFIG_INVALID', `${where}: UserError ${e.code}`);
      const m = /^(.*):(\d+): \S/.exec(e.message.split('\n')[0]!);
      check(m !== null && m[1] === file, () => `${where}: error message does not start with '${file}:line: ': ${show(e.message)}`);
      const line = Number(m![2]);
      const lines = text.split('\n');
      check(line >= 1 && line <= lines.length, `${where}: error names line ${line} of ${lines.length}`);
      check(lines[line - 1]!.trim() !== '', `${where}: error names blank line ${line}`);
      return 'UserError';
    }
    checkTable(table, wordSize, where);
    return 'table';
  },
};
