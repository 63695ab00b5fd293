/**
 * The decoding tables are data, checked here once: every per-call spec names known kinds
 * and calls the x86_64 table has, flag tables have no name twice, classes name real calls.
 */
import t from 'tap';
import { KINDS } from '../../src/decode/kinds.js';
import { SPECS, HEX_RETURN } from '../../src/decode/specs.js';
import { RETURNS } from '../../src/decode/kinds-calls.js';
import { CLASSES, expandTraceSet } from '../../src/decode/classes.js';
import { loadPrototypes } from '../../src/decode/prototypes.js';
import { loadProfile } from '../../src/profile/profile.js';
import type { FlagTable } from '../../src/decode/format.js';
import * as F from '../../src/decode/tables/linux-flags.js';
import * as M from '../../src/decode/tables/linux-misc.js';
import * as N from '../../src/decode/tables/linux-net.js';
import * as G from '../../src/decode/tables/linux-signal.js';
import { UserError } from '../../src/util/errors.js';

const profile = loadProfile('linux_x64');
const x64 = loadPrototypes(profile.prototypes, profile.wordSize, profile.names);

t.test('specs name known kinds, and calls of the x86_64 table with as many arguments', async (t) => {
  for (const [call, kinds] of Object.entries(SPECS)) {
    for (const k of kinds) t.ok(KINDS[k], `${call}: kind ${k} exists`);
    const info = x64.byShortName(call);
    if (!info) continue; // 32-bit-only names stay for the other profiles
    t.ok(kinds.length <= info.nargs, `${call}: ${kinds.length} kinds for ${info.nargs} arguments`);
  }
  for (const n of [...Object.keys(RETURNS), ...HEX_RETURN]) t.ok(n.length > 0 && /^[a-z0-9_]+$/.test(n), `return printer for ${n}`);
  t.ok(Object.keys(SPECS).filter((c) => x64.byShortName(c)).length >= 140, 'at least 140 x86_64 calls have a spec');
});

t.test('flag and enum tables: no name twice, flags are non-zero', async (t) => {
  const modules = { F, M, N, G } as Record<string, Record<string, unknown>>;
  let tables = 0;
  for (const [mod, exports] of Object.entries(modules)) {
    for (const [name, value] of Object.entries(exports)) {
      if (value instanceof Map) {
        tables++;
        const names = [...value.values()] as string[];
        t.equal(new Set(names).size, names.length, `${mod}.${name}: no name twice`);
      } else if (value && typeof value === 'object' && 'bits' in value) {
        tables++;
        const ft = value as FlagTable;
        const names = ft.bits.map(([, n]) => n);
        t.equal(new Set(names).size, names.length, `${mod}.${name}: no name twice`);
        t.ok(ft.bits.every(([b]) => b !== 0), `${mod}.${name}: no zero bit`);
      }
    }
  }
  t.ok(tables >= 50, `${tables} tables checked`);
});

t.test('classes: every name is a Linux call of some profile, and %class expands to what the table has', async (t) => {
  const all = new Set<string>();
  for (const file of ['linux_x64.txt', 'linux_x86.txt', 'linux_arm.txt', 'linux_arm64.txt', 'linux_mips.txt']) {
    for (const s of loadPrototypes(file, file.includes('64') ? 8 : 4).all()) all.add(s.name);
  }
  for (const p of ['linux_x64']) for (const s of loadPrototypes(loadProfile(p).prototypes, 8, loadProfile(p).names).all()) all.add(s.name);
  const unknown = Object.values(CLASSES).flat().filter((n) => !all.has(n));
  t.same([...new Set(unknown)].filter((n) => !/^(send|recv|socketcall|ipc|waitpid|signal|sigaction|sigprocmask|sigpending|sigsuspend|sigreturn|sgetmask|ssetmask|oldstat|oldlstat|oldfstat|readdir|ustat|umount|_newselect|_llseek|uselib|time|pause)$/.test(n) && !/32$|64$|time64$/.test(n)), [], 'class names are calls of the Linux tables (old and 32-bit ones aside)');
  const has = (n: string): boolean => x64.byShortName(n) !== undefined;
  const net = expandTraceSet(['%network'], has);
  t.ok(net.includes('socket') && net.includes('accept4') && !net.includes('socketcall'), '%network on x86_64');
  t.same(expandTraceSet(['openat', '%memory'], has).slice(0, 3), ['openat', 'brk', 'mmap'], 'names first, then the class in table order');
  t.same(expandTraceSet(['%net', 'socket'], has).filter((n) => n === 'socket').length, 1, 'no name twice');
  t.throws(() => expandTraceSet(['%bogus'], has), UserError, 'an unknown class is a usage error');
});
