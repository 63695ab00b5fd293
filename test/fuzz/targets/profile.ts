/**
 * Fuzz target: the YAML profile loader, `parseProfile(text, file)`, on the real
 * profiles/*.yaml mutated by bytes, YAML tokens and lines, whole, without comments, or with
 * only some of their top-level blocks. The result must be a Profile whose fields have their
 * declared types (numbers safe integers), or a UserError CONFIG_INVALID whose message starts
 * with `file:line:column: `; never another exception.
 */
import { parseProfile, type Profile } from '../../../src/profile/profile.js';
import { UserError } from '../../../src/util/errors.js';
import { mutate } from '../mutate.js';
import { profileFiles } from '../tables.js';
import { check, show, type FuzzTarget } from '../target.js';

interface Source {
  name: string;
  full: string;
  stripped: string;
  /** Top-level blocks (a key line and its indented lines), comments dropped. */
  blocks: string[];
}

interface State {
  sources: Source[];
  tokens: string[];
}

const SPECIAL = ':-[]{},#&*!|>\'"%@` \t\n?<';
const YAML_TOKENS = [
  '~', 'null', 'Null', '[]', '{}', '- ', ': ', '? ', '&a ', '*a', '&a', '!!str ', '!!int ', '!!float ', '!!binary ', '!!map ', '!!seq ', '!!set ', '!!omap ',
  '!custom ', '!<tag:x> ', '<<: *a', '<<', '---', '...', '%YAML 1.1\n---\n', '%TAG ! tag:x,2000:\n---\n', '|', '|-', '>', '>+', '"\\x41"', '"\\u0000"', '"\\"',
  "'it''s'", '0x1p3', '0o17', '0b101', '.inf', '-.inf', '.nan', '1_000', '1e400', '-0', '2001-12-14', 'true', 'yes', 'off', 'on',
  '0x', '"0x"', '""', '12.5', '-1', '4', '8', '16', '256', '4294967296', '18446744073709551616', '9007199254740993',
  '__proto__', 'constructor', 'toString',
];

/** Top-level keys every profile must have. */
const REQUIRED = /^(name|os|arch|word_size|prototypes|breakpoint_kind|entries|registers|asid_mask|errno_max):/;

function blocksOf(text: string): string[] {
  const out: string[] = [];
  for (const line of text.split('\n')) {
    if (/^\s*#/.test(line) || line.trim() === '') continue;
    if (/^\S/.test(line) || out.length === 0) out.push(line);
    else out[out.length - 1] += '\n' + line;
  }
  return out;
}

function isSafeInt(v: unknown): boolean {
  return typeof v === 'number' && Number.isSafeInteger(v);
}

function checkProfile(p: Profile, where: string): void {
  const strs: Array<[string, unknown]> = [
    ['name', p.name], ['arch', p.arch], ['prototypes', p.prototypes],
    ...Object.entries(p.registers).filter(([k]) => k !== 'args'),
  ];
  for (const [k, v] of strs) check(typeof v === 'string', `${where}: ${k} is ${typeof v}`);
  check(p.os === 'linux' || p.os === 'windows', `${where}: os ${p.os}`);
  check(p.wordSize === 4 || p.wordSize === 8, `${where}: wordSize ${p.wordSize}`);
  check(isSafeInt(p.breakpointKind), `${where}: breakpointKind ${p.breakpointKind}`);
  check(isSafeInt(p.errnoMax), `${where}: errnoMax ${p.errnoMax}`);
  check(typeof p.asidMask === 'bigint', `${where}: asidMask ${typeof p.asidMask}`);
  check(Array.isArray(p.entries) && p.entries.length > 0, `${where}: no entries`);
  for (const e of p.entries) check(typeof e.symbol === 'string' && typeof e.abi === 'string', `${where}: entry fields`);
  check(Array.isArray(p.registers.args) && p.registers.args.every((a) => typeof a === 'string'), `${where}: registers.args`);
  if (p.execCommit !== undefined) check(typeof p.execCommit === 'string', `${where}: execCommit`);
  if (p.kaslr) {
    check(typeof p.kaslr.align === 'bigint', `${where}: kaslr.align`);
    for (const [k, v] of Object.entries(p.kaslr.gates)) check(/^\d+$/.test(k) && Number(k) <= 255 && typeof v === 'string', `${where}: gate ${k}`);
  }
  for (const sr of p.sigreturn ?? []) {
    check(typeof sr.name === 'string', `${where}: sigreturn.name`);
    check(isSafeInt(sr.retOffset) && isSafeInt(sr.maskOffset), `${where}: sigreturn offsets ${sr.retOffset} ${sr.maskOffset}`);
  }
  if (p.exitStop) {
    const es = p.exitStop;
    for (const v of [es.symbol, es.regsArg, es.handler]) check(typeof v === 'string', `${where}: exit_stop string field`);
    check(es.entryCalls.every((c) => typeof c === 'string'), `${where}: exit_stop.entry_calls`);
    const r = es.ptRegs;
    for (const [k, v] of Object.entries(r)) {
      if (k === 'args') check(Array.isArray(v) && v.every(isSafeInt), `${where}: pt_regs.args ${JSON.stringify(v)}`);
      else check(isSafeInt(v), `${where}: pt_regs.${k} ${v}`);
    }
    if (es.userCs !== undefined) check(isSafeInt(es.userCs), `${where}: user_cs ${es.userCs}`);
  }
  for (const [k, v] of Object.entries(p.names)) check(typeof v === 'string', `${where}: names.${k}`);
}

export const target: FuzzTarget<State> = {
  setup() {
    const sources = profileFiles().map((f) => ({
      name: f.path.split('/').pop()!,
      full: f.text,
      stripped: f.text.split('\n').filter((l) => !/^\s*#/.test(l)).join('\n'),
      blocks: blocksOf(f.text),
    }));
    const tokens = new Set<string>(YAML_TOKENS);
    for (const s of sources) for (const m of s.stripped.matchAll(/[A-Za-z_][\w.]*|\d+/g)) tokens.add(m[0]);
    return { sources, tokens: [...tokens] };
  },

  run(rng, st) {
    const s = rng.pick(st.sources);
    // Whole files are slow to parse (the yaml package takes ~0.3 ms per KiB): most inputs are
    // the required blocks (one now and then left out) with one or two of the optional ones.
    const base = rng.weighted<() => string>([
      [0.3, () => s.full],
      [1, () => s.stripped],
      [0.3, () => s.full.split('\n').filter((l) => rng.chance(0.1) && /^\s*#/.test(l)).join('\n')],
      [8, () => [...s.blocks.filter((b) => REQUIRED.test(b) && rng.chance(0.97)), ...s.blocks.filter((b) => !REQUIRED.test(b) && rng.chance(0.15))].join('\n') + '\n'],
    ])();
    const text = rng.chance(0.03) ? base : mutate(rng, base, st.tokens, SPECIAL, 3, 0.02);
    const file = `profiles/${s.name}`;
    const where = `${file} ${show(text, 300)}`;
    let p: Profile;
    try {
      p = parseProfile(text, file);
    } catch (e) {
      if (!(e instanceof UserError)) throw e;
      check(e.code === 'CONFIG_INVALID', `${where}: UserError ${e.code}`);
      const m = /^(.*):(\d+):(\d+): \S/.exec(e.message);
      check(m !== null && m[1] === file, () => `${where}: message does not start with '${file}:line:column: ': ${show(e.message)}`);
      const line = Number(m![2]);
      const nLines = text.split(/\r\n|\r|\n/).length;
      check(line >= 1 && line <= nLines + 1 && Number(m![3]) >= 1, `${where}: position ${m![2]}:${m![3]} outside the ${nLines} lines`);
      return 'UserError';
    }
    checkProfile(p, where);
    return 'profile';
  },
};
