#!/usr/bin/env node
// Generates the syscall prototype tables in prototypes/ (PANDA's line format
// `<no> <ret> <name>(<args>);`) from primary sources:
//
//   node scripts/gen-prototypes.mjs LINUX_SRC [OUTDIR]          Linux tables from a kernel tree
//   node scripts/gen-prototypes.mjs --windows REFDIR [OUTDIR]    Windows tables from PANDA's reference tables
//   node scripts/gen-prototypes.mjs --compare REFDIR [OUTDIR]    docs/prototypes-vs-panda.md
//
// Options combine (e.g. `LINUX_SRC prototypes --windows REF --compare REF`). OUTDIR defaults to
// prototypes/ next to this script. --docs FILE overrides the comparison document's path.
// --source-label TEXT overrides the kernel package description written to the headers (by default
// read from the Debian changelog next to an extracted linux-source .deb, else from the Makefile).
// SOURCE_DATE_EPOCH, if set, fixes the date written to the headers.
//
// Plain Node 20 ESM, no dependencies. The kernel tree is only read; nothing is downloaded.

import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import crypto from 'node:crypto';
import { fileURLToPath } from 'node:url';

const SCRIPT_DIR = path.dirname(fileURLToPath(import.meta.url));
const REPO = path.resolve(SCRIPT_DIR, '..');
const PANDA_LINE = /^(\d+) (.+) (\w+) ?\((.*)\);$/;
const VERBOSE = Boolean(process.env.GEN_PROTOTYPES_VERBOSE);
const warn = (msg) => process.stderr.write(`gen-prototypes: ${msg}\n`);

// ---------------------------------------------------------------------------------------------
// Command line

function parseArgs(argv) {
  const o = { positional: [], windows: null, compare: null, docs: null, sourceLabel: null };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--windows') o.windows = argv[++i];
    else if (a === '--compare') o.compare = argv[++i];
    else if (a === '--docs') o.docs = argv[++i];
    else if (a === '--source-label') o.sourceLabel = argv[++i];
    else if (a === '-h' || a === '--help') o.help = true;
    else if (a.startsWith('--')) throw new Error(`unknown option ${a}`);
    else o.positional.push(a);
  }
  return o;
}

const today = () => {
  const e = process.env.SOURCE_DATE_EPOCH;
  return (e ? new Date(Number(e) * 1000) : new Date()).toISOString().slice(0, 10);
};

// ---------------------------------------------------------------------------------------------
// Small C helpers: comments, line continuations, a conditional-compilation tracker and an
// evaluator for `#if` expressions under a per-architecture configuration.

function stripComments(text) {
  // Keeps newlines inside block comments so line structure survives; leaves string literals alone
  // well enough for kernel headers/sources (no syscall declaration sits inside a string).
  let out = '';
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text[i];
    const d = text[i + 1];
    if (c === '/' && d === '*') {
      const end = text.indexOf('*/', i + 2);
      const body = text.slice(i, end < 0 ? n : end + 2);
      out += ' ' + body.replace(/[^\n]/g, '');
      i = end < 0 ? n : end + 2;
    } else if (c === '/' && d === '/') {
      const end = text.indexOf('\n', i);
      i = end < 0 ? n : end;
    } else if (c === '"' || c === "'") {
      let j = i + 1;
      while (j < n && text[j] !== c && text[j] !== '\n') j += text[j] === '\\' ? 2 : 1;
      out += text.slice(i, j + 1);
      i = j + 1;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

const joinContinuations = (text) => text.replace(/\\\r?\n/g, ' ');

/**
 * Splits C text into chunks of consecutive non-directive lines, each with the conjunction of the
 * `#if` conditions it sits under (a string), and reports directives to `onDirective`.
 */
function conditionalChunks(text, onDirective) {
  const lines = joinContinuations(stripComments(text)).split('\n');
  const stack = [];
  const cond = () => stack.flatMap((e) => [...e.prev, e.cur]).filter((c) => c !== '1').join(' && ') || '1';
  const chunks = [];
  let cur = null;
  for (const raw of lines) {
    const m = /^\s*#\s*(\w+)\s*(.*)$/.exec(raw);
    if (m) {
      const [, dir, rest] = m;
      const expr = rest.trim();
      if (dir === 'if') stack.push({ prev: [], cur: `(${expr})` });
      else if (dir === 'ifdef') stack.push({ prev: [], cur: `defined(${expr})` });
      else if (dir === 'ifndef') stack.push({ prev: [], cur: `!defined(${expr})` });
      else if (dir === 'elif' && stack.length) {
        const t = stack[stack.length - 1];
        t.prev.push(`!${t.cur}`);
        t.cur = `(${expr})`;
      } else if (dir === 'else' && stack.length) {
        const t = stack[stack.length - 1];
        t.prev.push(`!${t.cur}`);
        t.cur = '1';
      } else if (dir === 'endif') stack.pop();
      else if (onDirective) onDirective(dir, expr, cond());
      cur = null;
      continue;
    }
    const c = cond();
    if (!cur || cur.cond !== c) {
      cur = { cond: c, text: '' };
      chunks.push(cur);
    }
    cur.text += raw + '\n';
  }
  return chunks;
}

/**
 * Evaluates a preprocessor expression. `cfg.defs` maps macro names to values (undefined: not
 * defined). Unlisted CONFIG_ symbols count as enabled (a full-featured kernel) unless they are
 * architecture choices (ARCH_CHOICES), which only the profile turns on.
 */
const ARCH_CHOICES = new Set([
  'CLONE_BACKWARDS', 'CLONE_BACKWARDS2', 'CLONE_BACKWARDS3', 'HAVE_UID16', 'OLD_SIGSUSPEND',
  'OLD_SIGSUSPEND3', 'OLD_SIGACTION', 'COMPAT_OLD_SIGACTION', 'ODD_RT_SIGACTION', 'ARCH_SPLIT_ARG64',
  'COMPAT', 'COMPAT_32', 'X86_32', 'X86_64', '64BIT', '32BIT', 'IA32_EMULATION', 'X86_X32_ABI',
  'X86_X32', 'OABI_COMPAT', 'AEABI', 'ARCH_HAS_SYSCALL_WRAPPER', 'MIPS32_O32', 'MIPS32_N32',
  'MIPS32_COMPAT', 'ARCH_32BIT_OFF_T', 'CPU_BIG_ENDIAN', 'THUMB2_KERNEL', 'ARM64', 'ARM', 'X86',
  'MIPS', 'COMPAT_FOR_U64_ALIGNMENT', 'ARCH_WANT_SYS_CLONE3', 'ARCH_WANT_OLD_COMPAT_IPC',
  'ARCH_WANT_IPC_PARSE_VERSION', 'ARCH_WANT_COMPAT_IPC_PARSE_VERSION', 'ARCH_USES_HIGH_VMA_FLAGS',
  'MIPS_FP_SUPPORT', 'SYSVIPC_COMPAT', 'CPU_MIPSR6', 'VM86', 'X86_IOPL_IOPERM',
]);

function macroValue(name, cfg) {
  if (Object.prototype.hasOwnProperty.call(cfg.defs, name)) return cfg.defs[name];
  if (name.startsWith('CONFIG_')) return ARCH_CHOICES.has(name.slice(7)) ? undefined : 1;
  return undefined;
}

function evalCond(expr, cfg) {
  if (expr === '1') return true;
  let e = expr
    .replace(/\bdefined\s*\(\s*(\w+)\s*\)|\bdefined\s+(\w+)/g, (_, a, b) => (macroValue(a || b, cfg) !== undefined ? '1' : '0'))
    .replace(/\bIS_(?:ENABLED|BUILTIN)\s*\(\s*(\w+)\s*\)/g, (_, a) => (macroValue(a, cfg) ? '1' : '0'))
    .replace(/\b(\d+)[uUlL]+\b/g, '$1')
    .replace(/\b[A-Za-z_]\w*\b/g, (id) => {
      const v = macroValue(id, cfg);
      return v === undefined ? '0' : String(Number(v) || 0);
    });
  if (!/^[\d\s()!&|=<>+\-*/%~^?:]*$/.test(e)) return true;
  try {
    return Boolean(Function(`"use strict"; return (${e});`)());
  } catch {
    return true;
  }
}

/** Collects `#define NAME [value]` of the listed kind from headers, honouring their #ifs. */
function collectDefines(files, cfg, wanted) {
  for (const f of files) {
    if (!fs.existsSync(f)) continue;
    conditionalChunks(fs.readFileSync(f, 'utf8'), (dir, rest, cond) => {
      if (dir !== 'define' || !evalCond(cond, cfg)) return;
      const m = /^(\w+)\s*(.*)$/.exec(rest);
      if (m && wanted.test(m[1])) cfg.defs[m[1]] = /^\d+$/.test(m[2]) ? Number(m[2]) : 1;
    });
  }
}

// ---------------------------------------------------------------------------------------------
// Arguments

const norm = (s) => s.replace(/\s+/g, ' ').trim();

function splitTop(list) {
  const out = [];
  let depth = 0;
  let cur = '';
  for (const ch of list) {
    if (ch === '(' || ch === '[') depth++;
    if (ch === ')' || ch === ']') depth--;
    if (ch === ',' && depth === 0) {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  if (cur.trim()) out.push(cur);
  return out.map(norm).filter((a) => a !== '');
}

const TYPE_WORDS = new Set(['int', 'long', 'char', 'short', 'unsigned', 'signed', 'void', 'const', 'volatile',
  'struct', 'union', 'enum', '__user', 'restrict', '__restrict', 'float', 'double', '_Bool']);

/** Splits a parameter declaration into its type and name (null when unnamed). */
function splitParam(a) {
  a = norm(a);
  const m = /^(.*?[\s*])([A-Za-z_]\w*)\s*((?:\[[^\]]*\])*)$/.exec(a);
  if (!m) return { type: a, name: null };
  const before = m[1].trim();
  if (!before || TYPE_WORDS.has(m[2]) || /^(const\s+)?(struct|union|enum)$/.test(before)) return { type: a, name: null };
  return { type: norm(before + (m[3] ? ' *' : '')), name: m[2] };
}

const joinParam = (type, name) => (type.endsWith('*') ? `${type}${name}` : `${type} ${name}`);
/** Type for comparisons: whitespace normalised, pointer stars unspaced. */
const typeKey = (t) => norm(t).replace(/\s*\*\s*/g, '*');
const isPtRegs = (t) => /^(const )?struct pt_regs ?\*$/.test(norm(t));

// ---------------------------------------------------------------------------------------------
// Kernel source index

const GENERIC_SKIP = new Set(['tools', 'samples', 'Documentation', 'scripts', 'usr', 'LICENSES', 'rust', 'arch']);
// Alternatives chosen by Makefiles rather than #if (invisible to conditionalChunks): built only
// without an MMU / without POSIX timers, so never the implementation a guest runs.
const GENERIC_EXCLUDE = new Set(['mm/nommu.c', 'kernel/time/posix-stubs.c']);

function walk(dir, out, filter) {
  const ents = fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const ent of ents) {
    const p = path.join(dir, ent.name);
    if (ent.isDirectory()) walk(p, out, filter);
    else if (filter(ent.name)) out.push(p);
  }
  return out;
}

class KernelIndex {
  constructor(root) {
    this.root = root;
    this.rel = (p) => path.relative(root, p);
    this.defineFiles = [];
    const cFile = (n) => n.endsWith('.c') || n.endsWith('.h');
    for (const ent of fs.readdirSync(root, { withFileTypes: true })) {
      if (!ent.isDirectory() || GENERIC_SKIP.has(ent.name)) continue;
      walk(path.join(root, ent.name), this.defineFiles, cFile);
    }
    this.defineFiles = this.defineFiles.filter((f) => !GENERIC_EXCLUDE.has(this.rel(f)));
    this.generic = this.scanDefines(this.defineFiles, 'generic');
    this.archCache = new Map();
  }

  /** SYSCALL_DEFINEn / COMPAT_SYSCALL_DEFINEn / asmlinkage definitions in the given files. */
  scanDefines(files, scope) {
    const defs = [];
    for (const f of files) {
      const text = fs.readFileSync(f, 'latin1');
      const hasDefine = text.includes('SYSCALL_DEFINE');
      const hasAsm = scope !== 'generic' && text.includes('asmlinkage') && f.endsWith('.c');
      if (!hasDefine && !hasAsm) continue;
      for (const ch of conditionalChunks(text)) {
        if (hasDefine) {
          const re = /\b(COMPAT_)?SYSCALL_DEFINE(\d)\s*\(\s*(\w+)\s*((?:,[^)]*)?)\)/g;
          for (const m of ch.text.matchAll(re)) {
            const parts = splitTop(m[4].replace(/^\s*,/, ''));
            const n = Number(m[2]);
            if (parts.length !== 2 * n) continue;
            const params = [];
            for (let i = 0; i < n; i++) params.push({ type: norm(parts[2 * i]), name: parts[2 * i + 1] });
            defs.push({ fn: `${m[1] ? 'compat_' : ''}sys_${m[3]}`, ret: 'long', params, file: this.rel(f), cond: ch.cond, kind: 'define' });
          }
        }
        if (hasAsm) {
          const re = /\basmlinkage\s+((?:[\w]+\s+)*?[\w]+\s*\**)\s*\b(\w+)\s*\(([^)]*)\)\s*\{/g;
          for (const m of ch.text.matchAll(re)) {
            const params = splitTop(m[3]).filter((p) => p !== 'void').map(splitParam);
            defs.push({ fn: m[2], ret: norm(m[1]), params, file: this.rel(f), cond: ch.cond, kind: 'asmlinkage' });
          }
        }
      }
    }
    return defs;
  }

  archIndex(arch) {
    if (this.archCache.has(arch)) return this.archCache.get(arch);
    const dir = path.join(this.root, 'arch', arch);
    const cfiles = walk(dir, [], (n) => n.endsWith('.c') || n.endsWith('.h'));
    const defs = this.scanDefines(cfiles, 'arch');
    // Assembly entry points: label -> first branch to a C function, or none.
    const asm = new Map();
    for (const f of walk(dir, [], (n) => n.endsWith('.S'))) {
      const lines = stripComments(fs.readFileSync(f, 'latin1')).split('\n');
      let label = null;
      for (const line of lines) {
        const lm = /^\s*(?:(?:ENTRY|LEAF|NESTED|SYM_FUNC_START|SYM_CODE_START)\s*\(\s*(\w+)|(\w+)\s*:)/.exec(line);
        if (lm) {
          const name = lm[1] || lm[2];
          if (/^(sys|sysm|__sys)_\w+/.test(name)) {
            label = name;
            if (!asm.has(label)) asm.set(label, []);
            asm.get(label).push({ file: this.rel(f), target: null });
            continue;
          }
        }
        if (label && /\b(ENDPROC|END|SYM_FUNC_END|SYM_CODE_END)\s*\(/.test(line)) label = null;
        if (label) {
          const bm = /^\s*(?:b|j|jal|bl)\s+(\w+)\s*$/.exec(line);
          const cur = asm.get(label).at(-1);
          if (bm && /^(sys|__sys)_\w+/.test(bm[1]) && !cur.target) cur.target = bm[1];
        }
      }
    }
    // save_static_function(sys_X) (MIPS) creates __sys_X, a stub that saves the static registers
    // and jumps to sys_X.
    const stubs = new Map();
    for (const f of cfiles) {
      const t = fs.readFileSync(f, 'latin1');
      for (const m of t.matchAll(/^\s*save_static_function\s*\(\s*(\w+)\s*\)\s*;/gm)) stubs.set(`__${m[1]}`, { target: m[1], file: this.rel(f) });
    }
    const r = { defs, asm, stubs };
    this.archCache.set(arch, r);
    return r;
  }
}

/** Declarations `asmlinkage <ret> sys_xxx(...);` in a header. */
function scanDeclarations(file, rel) {
  const out = [];
  if (!fs.existsSync(file)) return out;
  for (const ch of conditionalChunks(fs.readFileSync(file, 'utf8'))) {
    for (const m of ch.text.matchAll(/\basmlinkage\s+([\w\s*]+?)\s*\b((?:compat_)?sys_\w+|sysm_\w+)\s*\(([^)]*)\)\s*;/g)) {
      const params = splitTop(m[3]).filter((p) => p !== 'void').map(splitParam);
      out.push({ fn: m[2], ret: norm(m[1]), params, file: rel, cond: ch.cond, kind: 'declaration' });
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Linux profiles

const PROFILES = [
  {
    id: 'linux_x64', arch: 'x86', title: 'x86-64, native 64-bit ABI (table ABIs common + 64; x32 left out)',
    // arch/x86/Kconfig: 64BIT selects X86_64; no CLONE_BACKWARDS, no UID16 without IA32_EMULATION.
    config: ['X86', 'X86_64', '64BIT'], defs: { BITS_PER_LONG: 64, __BITS_PER_LONG: 64, __x86_64__: 1 },
    unistd: ['arch/x86/include/asm/unistd.h'], archHeaders: ['arch/x86/include/asm/syscalls.h'],
    table: { file: 'arch/x86/entry/syscalls/syscall_64.tbl', abis: ['common', '64'], offset: 0 },
    // Makefile-selected: *_32.c is built for X86_32 only, ia32/ for IA32_EMULATION, um/ is UML.
    archExclude: [/^arch\/x86\/um\//, /^arch\/x86\/ia32\//, /_32\.[cS]$/],
  },
  {
    id: 'linux_x86', arch: 'x86', title: 'i386, int 0x80 (native 32-bit kernel: the table\'s entry-point column, not the compat one)',
    // arch/x86/Kconfig: X86_32 selects CLONE_BACKWARDS, OLD_SIGACTION, ARCH_SPLIT_ARG64,
    // ARCH_32BIT_OFF_T; COMPAT_32 (X86_32 || IA32_EMULATION) selects HAVE_UID16, OLD_SIGSUSPEND3.
    config: ['X86', 'X86_32', 'CLONE_BACKWARDS', 'OLD_SIGACTION', 'ARCH_SPLIT_ARG64', 'ARCH_32BIT_OFF_T', 'COMPAT_32', 'HAVE_UID16', 'OLD_SIGSUSPEND3', 'VM86', 'X86_IOPL_IOPERM'],
    defs: { BITS_PER_LONG: 32, __BITS_PER_LONG: 32, __i386__: 1 },
    unistd: ['arch/x86/include/asm/unistd.h'], archHeaders: ['arch/x86/include/asm/syscalls.h'],
    table: { file: 'arch/x86/entry/syscalls/syscall_32.tbl', abis: ['i386'], offset: 0 },
    archExclude: [/^arch\/x86\/um\//, /^arch\/x86\/ia32\//, /_64\.[cS]$/],
  },
  {
    id: 'linux_arm', arch: 'arm', title: 'ARM EABI, swi 0 (table ABIs common + eabi; oabi-only entries left out) and the ARM-private calls at 0xf0000+n',
    // arch/arm/Kconfig: ARM selects CLONE_BACKWARDS, HAVE_UID16, OLD_SIGACTION, OLD_SIGSUSPEND3,
    // ARCH_32BIT_OFF_T. EABI without OABI_COMPAT.
    config: ['ARM', 'AEABI', 'CLONE_BACKWARDS', 'HAVE_UID16', 'OLD_SIGACTION', 'OLD_SIGSUSPEND3', 'ARCH_32BIT_OFF_T', '32BIT'],
    defs: { BITS_PER_LONG: 32, __BITS_PER_LONG: 32, __ARM_EABI__: 1 },
    unistd: ['arch/arm/include/asm/unistd.h', 'arch/arm/include/uapi/asm/unistd.h'], archHeaders: ['arch/arm/include/asm/syscalls.h'],
    table: { file: 'arch/arm/tools/syscall.tbl', abis: ['common', 'eabi'], offset: 0 },
    armPrivate: true,
  },
  {
    id: 'linux_arm64', arch: 'arm64', title: 'AArch64, svc 0 (asm-generic numbering as arm64 configures it, 64-bit)',
    // arch/arm64/Kconfig: ARM64 selects CLONE_BACKWARDS (and ARCH_HAS_SYSCALL_WRAPPER, ignored here
    // so that include/linux/syscalls.h's declarations are read). No COMPAT: the native table.
    config: ['ARM64', '64BIT', 'CLONE_BACKWARDS'],
    defs: { BITS_PER_LONG: 64, __BITS_PER_LONG: 64, __aarch64__: 1 },
    unistd: ['arch/arm64/include/asm/unistd.h', 'arch/arm64/include/uapi/asm/unistd.h'], archHeaders: ['arch/arm64/include/asm/syscalls.h'],
    generic: 'include/uapi/asm-generic/unistd.h',
    // sys32.c / signal32.c are the AArch32 compat layer (CONFIG_COMPAT).
    archExclude: [/32\.c$/],
  },
  {
    id: 'linux_mips', arch: 'mips', title: 'MIPS o32 on a 32-bit kernel, syscall (numbers + 4000; the table\'s native entry-point column)',
    // arch/mips/Kconfig: MIPS selects CLONE_BACKWARDS, ARCH_32BIT_OFF_T if !64BIT.
    config: ['MIPS', '32BIT', 'CLONE_BACKWARDS', 'ARCH_32BIT_OFF_T', 'MIPS_FP_SUPPORT'],
    defs: { BITS_PER_LONG: 32, __BITS_PER_LONG: 32, _MIPS_SIM: 1, _MIPS_SIM_ABI32: 1, _MIPS_SIM_NABI32: 2, _MIPS_SIM_ABI64: 3, __mips__: 1 },
    unistd: ['arch/mips/include/asm/unistd.h'], archHeaders: ['arch/mips/include/asm/syscalls.h'],
    table: { file: 'arch/mips/kernel/syscalls/syscall_o32.tbl', abis: ['o32'], offset: 4000 },
    // 64-bit kernel only: the n32/n64 entry code and the o32/n32 compat layers.
    archExclude: [/linux32\.c$/, /signal32\.c$/, /signal_[on]32\.c$/, /scall64-/, /scall32-n32/],
  },
];

function readTbl(root, t) {
  const entries = [];
  const skipped = [];
  for (const line of fs.readFileSync(path.join(root, t.file), 'utf8').split('\n')) {
    if (/^\s*(#|$)/.test(line)) continue;
    const [no, abi, name, entry] = line.trim().split(/\s+/);
    if (!t.abis.includes(abi)) continue;
    const e = { no: Number(no) + t.offset, name, entry };
    if (!entry || entry === 'sys_ni_syscall') skipped.push(e);
    else entries.push(e);
  }
  return { entries, skipped };
}

/** arm64: include/uapi/asm-generic/unistd.h under the arch's __ARCH_WANT_* defines. */
function readGenericUnistd(root, file, cfg) {
  const nums = {};
  const entries = [];
  const skipped = [];
  const is32 = cfg.defs.__BITS_PER_LONG === 32 || cfg.defs.__SYSCALL_COMPAT !== undefined;
  const compat = cfg.defs.__SYSCALL_COMPAT !== undefined;
  const chunks = conditionalChunks(fs.readFileSync(path.join(root, file), 'utf8'), (dir, rest, cond) => {
    if (!evalCond(cond, cfg)) return;
    const m = /^(__NR(?:3264)?_\w+)\s+(\w+)\s*$/.exec(rest);
    if (dir === 'define' && m) nums[m[1]] = /^\d+$/.test(m[2]) ? Number(m[2]) : nums[m[2]];
  });
  // Numbers are resolved after the pass: each __NR_* is defined once, right before its use.
  for (const ch of chunks) {
    if (!evalCond(ch.cond, cfg)) continue;
    for (const m of ch.text.matchAll(/\b(__SYSCALL|__SC_COMP|__SC_3264|__SC_COMP_3264)\s*\(([^)]*)\)/g)) {
      const a = splitTop(m[2]);
      let sym;
      if (m[1] === '__SYSCALL') sym = a[1];
      else if (m[1] === '__SC_COMP') sym = compat ? a[2] : a[1];
      else if (m[1] === '__SC_3264') sym = is32 ? a[1] : a[2];
      else sym = compat ? a[3] : is32 ? a[1] : a[2];
      const no = nums[a[0]];
      if (no === undefined) {
        warn(`${file}: no number for ${a[0]}`);
        continue;
      }
      const name = a[0].replace(/^__NR(3264)?_/, '');
      const e = { no, name, entry: sym };
      if (sym === 'sys_ni_syscall') skipped.push(e);
      else entries.push(e);
    }
  }
  return { entries, skipped };
}

/** ARM private calls (arch/arm/include/uapi/asm/unistd.h, handled by arm_syscall() in traps.c). */
function armPrivate(root) {
  const text = fs.readFileSync(path.join(root, 'arch/arm/include/uapi/asm/unistd.h'), 'utf8');
  const traps = fs.readFileSync(path.join(root, 'arch/arm/kernel/traps.c'), 'utf8');
  const base = /#define\s+__ARM_NR_BASE\s+\(__NR_SYSCALL_BASE\s*\+\s*(0x[0-9a-f]+|\d+)\)/i.exec(text);
  const baseNo = Number(base[1]);
  const cacheOp = /\bdo_cache_op\s*\(([^)]*)\)\s*\{/.exec(stripComments(traps));
  // The arguments arm_syscall() takes from r0..r2 for each case (arch/arm/kernel/traps.c).
  const args = {
    breakpoint: [],
    cacheflush: cacheOp ? splitTop(cacheOp[1]) : ['unsigned long start', 'unsigned long end', 'int flags'],
    usr26: [],
    usr32: [],
    set_tls: ['unsigned long val'], // set_tls(regs->ARM_r0); asm/tls.h: set_tls(unsigned long val)
    get_tls: [],
  };
  const out = [];
  for (const m of text.matchAll(/#define\s+__ARM_NR_(\w+)\s+\(__ARM_NR_BASE\s*\+\s*(\d+)\)/g)) {
    const [, name, off] = m;
    if (!new RegExp(`case NR\\(${name}\\)`).test(traps)) continue;
    out.push({ no: baseNo + Number(off), name, ret: 'long', fn: `ARM_${name}`, args: args[name] ?? [], src: 'arch/arm/include/uapi/asm/unistd.h + arch/arm/kernel/traps.c (arm_syscall)' });
  }
  return out;
}

function linuxProfile(kidx, p) {
  const root = kidx.root;
  const cfg = { defs: { ...p.defs } };
  for (const c of p.config) cfg.defs[`CONFIG_${c}`] = 1;
  collectDefines(p.unistd.map((f) => path.join(root, f)), cfg, /^__ARCH_WANT_/);
  const wants = Object.keys(cfg.defs).filter((k) => k.startsWith('__ARCH_WANT_')).sort();

  const decls = scanDeclarations(path.join(root, 'include/linux/syscalls.h'), 'include/linux/syscalls.h').filter((d) => evalCond(d.cond, cfg));
  const archDecls = p.archHeaders.flatMap((f) => scanDeclarations(path.join(root, f), f)).filter((d) => evalCond(d.cond, cfg));
  const ai = kidx.archIndex(p.arch);
  const archFileOk = (f) => !(p.archExclude ?? []).some((re) => re.test(f));
  const archDefs = ai.defs.filter((d) => archFileOk(d.file) && evalCond(d.cond, cfg));
  const genDefs = kidx.generic.filter((d) => evalCond(d.cond, cfg));
  const sources = new Set([p.table ? p.table.file : p.generic, ...p.unistd.filter((f) => fs.existsSync(path.join(root, f)))]);

  // arm64-style `#define __arm64_sys_X __arm64_sys_Y` redirections of table entries.
  const redirect = new Map();
  if (p.arch === 'arm64') {
    for (const f of walk(path.join(root, 'arch/arm64/kernel'), [], (n) => n.endsWith('.c'))) {
      for (const m of fs.readFileSync(f, 'utf8').matchAll(/#define\s+__arm64_(sys_\w+)\s+__arm64_(sys_\w+)/g)) {
        redirect.set(m[1], { target: m[2], file: kidx.rel(f) });
      }
    }
  }

  const pick = (list, fn, what) => {
    const hits = list.filter((d) => d.fn === fn);
    if (hits.length > 1) {
      const sigs = new Set(hits.map((h) => h.params.map((x) => typeKey(x.type)).join(',')));
      if (sigs.size > 1) warn(`${p.id}: ${hits.length} ${what} of ${fn} differ (${hits.map((h) => h.file).join(', ')}); using ${hits[0].file}`);
    }
    return hits[0];
  };

  const resolveFn = (fn) => {
    const define = pick(archDefs, fn, 'arch definitions') ?? pick(genDefs.filter((d) => d.kind === 'define'), fn, 'definitions');
    const decl = pick(decls, fn, 'declarations') ?? pick(archDecls, fn, 'arch declarations');
    if (decl) {
      let params = decl.params;
      const notes = [];
      if (params.some((x) => !x.name)) {
        if (define && define.params.length === params.length) {
          params = params.map((x, i) => ({ type: x.type, name: x.name ?? define.params[i].name }));
          sources.add(define.file);
        } else {
          params = params.map((x, i) => ({ type: x.type, name: x.name ?? `arg${i}` }));
          notes.push('unnamed arguments named argN');
          warn(`${p.id}: ${fn}: declaration has unnamed arguments and no matching SYSCALL_DEFINE; named argN`);
        }
      }
      if (VERBOSE && define && define.params.length === params.length && define.params.some((x, i) => typeKey(x.type) !== typeKey(params[i].type))) {
        warn(`${p.id}: ${fn}: ${decl.file} declares (${params.map((x) => x.type).join(', ')}), ${define.file} defines (${define.params.map((x) => x.type).join(', ')})`);
      }
      if (define && define.params.length !== params.length) warn(`${p.id}: ${fn}: declaration has ${params.length} args, ${define.file} defines ${define.params.length}`);
      sources.add(decl.file);
      return { ret: decl.ret, params, src: decl.file, notes };
    }
    if (define) {
      sources.add(define.file);
      return { ret: define.ret, params: define.params, src: define.file, notes: [] };
    }
    const asml = pick(archDefs.filter((d) => d.kind === 'asmlinkage'), fn, 'asmlinkage definitions');
    if (asml && asml.params.every((x) => x.name || isPtRegs(x.type))) {
      sources.add(asml.file);
      return { ret: asml.ret, params: asml.params, src: asml.file, notes: [] };
    }
    return null;
  };

  const resolveEntry = (entry, depth = 0) => {
    let fn = entry;
    let via = null;
    if (redirect.has(fn)) {
      via = redirect.get(fn);
      fn = via.target;
      sources.add(via.file);
    }
    const r = resolveFn(fn);
    if (r) return { ...r, fn };
    if (depth > 2) return null;
    const stub = ai.stubs.get(fn);
    if (stub && archFileOk(stub.file)) {
      sources.add(stub.file);
      const t = resolveEntry(stub.target, depth + 1);
      return t && { ...t, fn, notes: [...t.notes, `stub for ${stub.target}`] };
    }
    const a = (ai.asm.get(fn) ?? []).find((x) => archFileOk(x.file));
    if (a && a.target) {
      sources.add(a.file);
      const t = resolveEntry(a.target, depth + 1);
      return t && { ...t, fn, notes: [...t.notes, `assembly wrapper of ${a.target}`] };
    }
    return { missing: true, fn, reason: a ? `assembly-only entry in ${a.file}, no C prototype` : 'no declaration or definition found' };
  };

  const { entries, skipped } = p.table ? readTbl(root, p.table) : readGenericUnistd(root, p.generic, cfg);
  const lines = [];
  const missing = [];
  const renamed = [];
  for (const e of entries) {
    const r = resolveEntry(e.entry);
    if (r.missing) {
      missing.push({ ...e, reason: r.reason });
      warn(`${p.id}: no prototype for ${e.no} ${e.name} (${e.entry}): ${r.reason}`);
      continue;
    }
    // A `struct pt_regs *` parameter is supplied by the kernel's entry code, not by the caller.
    const params = r.params.filter((x) => !isPtRegs(x.type));
    lines.push({ no: e.no, ret: r.ret, fn: r.fn, args: params.map((x) => joinParam(x.type, x.name)), name: e.name });
  }
  if (p.armPrivate) {
    sources.add('arch/arm/include/uapi/asm/unistd.h');
    sources.add('arch/arm/kernel/traps.c');
    for (const x of armPrivate(root)) lines.push({ no: x.no, ret: x.ret, fn: x.fn, args: x.args.map(norm), name: `ARM_${x.name}` });
  }
  lines.sort((a, b) => a.no - b.no);
  const seen = new Set();
  for (const l of lines) {
    if (seen.has(l.no)) throw new Error(`${p.id}: duplicate number ${l.no}`);
    seen.add(l.no);
    const short = l.fn.replace(/^(compat_)?sys_/, '');
    if (short !== l.name) renamed.push(`${l.no} ${l.name}=${l.fn}`);
  }
  return { p, lines, missing, skipped, renamed, wants, sources };
}

function wrapList(prefix, items, width = 100) {
  const out = [];
  let cur = prefix;
  for (const it of items) {
    if (cur.length + it.length + 2 > width && cur !== prefix) {
      out.push(cur.replace(/,$/, ','));
      cur = '//   ';
    }
    cur += (cur.endsWith(' ') ? '' : ' ') + it + ',';
  }
  if (cur.trim() !== '//') out.push(cur.replace(/,$/, ''));
  return out;
}

function writeLinux(res, outdir, label, command) {
  const { p, lines, missing, skipped, renamed, wants, sources } = res;
  const src = [...sources].filter((s) => s !== 'include/linux/syscalls.h').sort();
  const h = [
    `// ${p.id}: Linux system call prototypes, ${p.title}.`,
    `// Generated from ${label}.`,
    `// Numbers: ${p.table ? p.table.file : `${p.generic} (as configured by ${p.unistd.join(', ')})`}${p.armPrivate ? ' + arch/arm/include/uapi/asm/unistd.h (__ARM_NR_*)' : ''}.`,
    '// Signatures: include/linux/syscalls.h declarations (argument names from SYSCALL_DEFINEn where the',
    '//   declaration leaves them out), else SYSCALL_DEFINEn / asmlinkage definitions in the kernel sources.',
    `//   Configuration honoured for #if: CONFIG_{${p.config.join(',')}}, BITS_PER_LONG=${p.defs.BITS_PER_LONG};`,
    ...wrapList('//   defines from the arch unistd headers:', wants),
    ...wrapList('// Files used:', src),
    `// Generator: node scripts/gen-prototypes.mjs ${command}`,
    `// Date: ${today()}`,
    '// Line format (PANDA syscalls2): <number> <return type> <function>(<type> <name>, ...); `void` = no arguments.',
    '// The function is the one the syscall table points to; a `struct pt_regs *` parameter (filled in by',
    '// the kernel, not the caller) is left out.',
  ];
  if (skipped.length) h.push(...wrapList('// Not implemented (no entry point or sys_ni_syscall), left out:', skipped.map((s) => `${s.no} ${s.name}`)));
  for (const m of missing) h.push(`// no prototype: ${m.no} ${m.name} ${m.entry} (${m.reason})`);
  if (renamed.length) h.push(...wrapList('// Syscall names that differ from the function name:', renamed));
  const body = lines.map((l) => `${l.no} ${l.ret} ${l.fn}(${l.args.length ? l.args.join(', ') : 'void'});`);
  for (const b of body) if (!PANDA_LINE.test(b)) throw new Error(`${p.id}: line does not parse: ${b}`);
  const file = path.join(outdir, `${p.id}.txt`);
  fs.writeFileSync(file, [...h, ...body].join('\n') + '\n');
  return { file, count: body.length };
}

function sourceLabel(root, override) {
  if (override) return override;
  const mk = fs.readFileSync(path.join(root, 'Makefile'), 'utf8');
  const v = ['VERSION', 'PATCHLEVEL', 'SUBLEVEL'].map((k) => new RegExp(`^${k} = (\\d+)`, 'm').exec(mk)?.[1]).join('.');
  const base = path.basename(root);
  const cl = path.resolve(root, '../../share/doc', base, 'changelog.Debian.gz');
  if (fs.existsSync(cl)) {
    const first = zlib.gunzipSync(fs.readFileSync(cl)).toString('utf8').split('\n')[0];
    const m = /^(\S+) \(([^)]+)\) (\S+);/.exec(first);
    if (m) return `Debian package ${base} ${m[2]} (${m[3].replace(/;$/, '')}; source "${m[1]}", kernel ${v}), /usr/src/${base}.tar.xz`;
  }
  return `kernel source tree ${base} (kernel ${v})`;
}

// ---------------------------------------------------------------------------------------------
// Windows tables (from PANDA's reference tables)

const WINDOWS = ['windows_2000_x86', 'windows_xpsp2_x86', 'windows_xpsp3_x86', 'windows_7_x86', 'windows_7_x64'];

function readReadme(refdir) {
  const t = fs.readFileSync(path.join(refdir, 'README.md'), 'utf8');
  const repo = /Repository:\s*([^\n]+)/.exec(t)?.[1].trim();
  const p = /Path in that repository:\s*`([^`]+)`/.exec(t)?.[1];
  const commit = /Commit:\s*`([0-9a-f]{40})`([^\n]*)/.exec(t);
  return { repo, path: p, commit: commit?.[1], commitNote: commit?.[2].trim() };
}

const gitBlob = (buf) => crypto.createHash('sha1').update(`blob ${buf.length}\0`).update(buf).digest('hex');

function parsePanda(file) {
  const out = [];
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    const m = PANDA_LINE.exec(line.trim());
    if (m) out.push({ no: Number(m[1]), ret: norm(m[2]), fn: m[3], args: norm(m[4]) });
  }
  return out;
}

function writeWindows(refdir, outdir, command) {
  const r = readReadme(refdir);
  const res = [];
  for (const id of WINDOWS) {
    const srcName = `${id}_prototypes.txt`;
    const buf = fs.readFileSync(path.join(refdir, srcName));
    const rows = parsePanda(path.join(refdir, srcName)).sort((a, b) => a.no - b.no);
    const seen = new Set();
    const body = [];
    for (const x of rows) {
      if (seen.has(x.no)) throw new Error(`${id}: duplicate number ${x.no}`);
      seen.add(x.no);
      const args = splitTop(x.args).join(', ');
      const line = `${x.no} ${x.ret} ${x.fn}(${args || 'void'});`;
      if (!PANDA_LINE.test(line)) throw new Error(`${id}: line does not parse: ${line}`);
      body.push(line);
    }
    const h = [
      `// ${id}: Windows NT system call prototypes (system service numbers of the native API).`,
      `// Numbers and signatures: PANDA, ${r.repo}, ${r.path}${srcName}`,
      `//   at commit ${r.commit} ${r.commitNote} (git blob ${gitBlob(buf)}).`,
      '// PANDA took the numbering from Volatility\'s syscall overlays and the signatures from its',
      '// all_windows_prototypes.txt. Facts only: reformatted (no space before `(`, whitespace normalised,',
      '// sorted by number); no numbers or signatures changed.',
      `// Generator: node scripts/gen-prototypes.mjs ${command}`,
      `// Date: ${today()}`,
    ];
    const file = path.join(outdir, `${id}.txt`);
    fs.writeFileSync(file, [...h, ...body].join('\n') + '\n');
    res.push({ file, count: body.length });
  }
  return res;
}

// ---------------------------------------------------------------------------------------------
// Comparison with PANDA's Linux tables

const COMPARE = [
  ['linux_x64', 'linux_x64_prototypes.txt'],
  ['linux_x86', 'linux_x86_prototypes.txt'],
  ['linux_arm', 'linux_arm_prototypes.txt'],
  ['linux_arm64', 'linux_arm64_prototypes.txt'],
  ['linux_mips', 'linux_mips_prototypes.txt'],
];

const argTypes = (args) => (args === '' || args === 'void' ? [] : splitTop(args).map((a) => typeKey(splitParam(a).type)));
const code = (s) => '`' + s.replace(/`/g, "'") + '`';

function writeCompare(refdir, outdir, docPath, command) {
  const r = readReadme(refdir);
  const out = [
    '# Prototype tables: ours vs PANDA\'s',
    '',
    `Generated by \`node scripts/gen-prototypes.mjs ${command}\` on ${today()}.`,
    '',
    `Ours: \`prototypes/linux_*.txt\`, generated from Linux 6.1 sources (see \`prototypes/SOURCES.md\`).`,
    `PANDA's: \`${r.path}\` in ${r.repo} at commit \`${r.commit}\` (its Linux tables came from`,
    'Ubuntu bionic 4.15 for x86/x64/arm/arm64 and mainline 5.8/2.6 for MIPS, so many differences are',
    'system calls added to Linux since, or entry points that were renamed).',
    '',
    'Argument comparison: same number and same function name, argument *types* compared with',
    'whitespace normalised and names ignored. Only lines matching PANDA\'s regex count (PANDA\'s',
    '`// TODO` lines are comments).',
    '',
  ];
  for (const [ours, theirs] of COMPARE) {
    const a = parsePanda(path.join(outdir, `${ours}.txt`));
    const b = parsePanda(path.join(refdir, theirs));
    const A = new Map(a.map((x) => [x.no, x]));
    const B = new Map(b.map((x) => [x.no, x]));
    const added = a.filter((x) => !B.has(x.no));
    const removed = b.filter((x) => !A.has(x.no));
    const renamed = a.filter((x) => B.has(x.no) && B.get(x.no).fn !== x.fn);
    const changed = a.filter((x) => {
      const y = B.get(x.no);
      return y && y.fn === x.fn && argTypes(x.args).join(',') !== argTypes(y.args).join(',');
    });
    const same = a.length - added.length - renamed.length - changed.length;
    out.push(`## ${ours} vs ${theirs}`, '');
    out.push('| | count |', '|---|---:|');
    out.push(`| ours | ${a.length} |`, `| PANDA | ${b.length} |`, `| identical number, name and argument types | ${same} |`);
    out.push(`| added (number only in ours) | ${added.length} |`, `| removed (number only in PANDA) | ${removed.length} |`);
    out.push(`| renamed (same number, other function) | ${renamed.length} |`, `| changed arguments | ${changed.length} |`, '');
    if (added.length) {
      out.push(`### Added (${added.length})`, '');
      out.push(added.map((x) => `${x.no} ${x.fn.replace(/^sys_/, '')}`).join(', '), '');
    }
    if (removed.length) {
      out.push(`### Removed (${removed.length})`, '');
      out.push(removed.map((x) => `${x.no} ${x.fn.replace(/^sys_/, '')}`).join(', '), '');
    }
    if (renamed.length) {
      out.push(`### Renamed (${renamed.length})`, '', '| no | PANDA | ours |', '|---:|---|---|');
      for (const x of renamed) out.push(`| ${x.no} | ${code(B.get(x.no).fn)} | ${code(x.fn)} |`);
      out.push('');
    }
    if (changed.length) {
      out.push(`### Changed arguments (${changed.length})`, '', '| no | function | PANDA | ours |', '|---:|---|---|---|');
      for (const x of changed) {
        const y = B.get(x.no);
        out.push(`| ${x.no} | ${code(x.fn)} | ${code(y.args || 'void')} | ${code(x.args)} |`);
      }
      out.push('');
    }
  }
  const win = WINDOWS.filter((id) => fs.existsSync(path.join(outdir, `${id}.txt`)));
  if (win.length) {
    out.push('## Windows tables', '', 'Taken from PANDA\'s tables (numbers and signatures unchanged, only reformatted); checked here', 'entry by entry.', '');
    out.push('| ours | PANDA | entries | differing entries |', '|---|---|---:|---:|');
    for (const id of win) {
      const a = parsePanda(path.join(outdir, `${id}.txt`));
      const B = new Map(parsePanda(path.join(refdir, `${id}_prototypes.txt`)).map((x) => [x.no, x]));
      const diff = a.filter((x) => {
        const y = B.get(x.no);
        return !y || y.fn !== x.fn || y.ret !== x.ret || argTypes(x.args).join(',') !== argTypes(y.args).join(',');
      }).length + Math.max(0, B.size - a.length);
      out.push(`| \`${id}.txt\` | \`${id}_prototypes.txt\` | ${a.length} | ${diff} |`);
    }
    out.push('');
  }
  fs.mkdirSync(path.dirname(docPath), { recursive: true });
  fs.writeFileSync(docPath, out.join('\n').replace(/\n+$/, '\n'));
  return docPath;
}

// ---------------------------------------------------------------------------------------------

function main() {
  const o = parseArgs(process.argv.slice(2));
  if (o.help || (!o.positional.length && !o.windows && !o.compare)) {
    process.stderr.write('usage: node scripts/gen-prototypes.mjs [LINUX_SRC] [OUTDIR] [--windows REFDIR] [--compare REFDIR] [--docs FILE] [--source-label TEXT]\n');
    process.exit(o.help ? 0 : 2);
  }
  // With --windows/--compare alone, a single positional is the output directory.
  let [linux, outdir] = o.positional;
  if (linux && !outdir && !fs.existsSync(path.join(linux, 'Makefile')) && (o.windows || o.compare)) [linux, outdir] = [null, linux];
  outdir = path.resolve(outdir ?? path.join(REPO, 'prototypes'));
  fs.mkdirSync(outdir, { recursive: true });
  const command = process.argv.slice(2).join(' ');
  let missingTotal = 0;
  if (linux) {
    const root = path.resolve(linux);
    const label = sourceLabel(root, o.sourceLabel);
    const kidx = new KernelIndex(root);
    for (const p of PROFILES) {
      const res = linuxProfile(kidx, p);
      const w = writeLinux(res, outdir, label, command);
      missingTotal += res.missing.length;
      process.stdout.write(`${path.relative(process.cwd(), w.file)}: ${w.count} prototypes, ${res.skipped.length} not implemented, ${res.missing.length} without prototype\n`);
    }
  }
  if (o.windows) {
    for (const w of writeWindows(o.windows, outdir, command)) process.stdout.write(`${path.relative(process.cwd(), w.file)}: ${w.count} prototypes\n`);
  }
  if (o.compare) {
    const doc = writeCompare(o.compare, outdir, path.resolve(o.docs ?? path.join(REPO, 'docs/prototypes-vs-panda.md')), command);
    process.stdout.write(`${path.relative(process.cwd(), doc)}\n`);
  }
  if (missingTotal) warn(`${missingTotal} table entries without a prototype (listed in the file headers)`);
}

main();
