import t from 'tap';
import { parsePrototypes, loadPrototypes } from '../../src/decode/prototypes.js';
import { parseProfile, loadProfile, availableProfiles } from '../../src/profile/profile.js';
import { parseSystemMap } from '../../src/symbols/system-map.js';
import { gateTarget, parseIdtBase } from '../../src/symbols/kaslr-x86.js';
import { UserError } from '../../src/util/errors.js';

function errorOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (e instanceof UserError) return e.message;
    throw e;
  }
  return 'no error';
}

t.test('prototype lines', async (t) => {
  const tab = parsePrototypes('// c\n\n0 long sys_read(unsigned int fd, char __user *buf, size_t count);\n39 long sys_getpid(void);\n', 'p.txt', 8);
  const r = tab.getSyscallInfo(0)!;
  t.equal(r.name, 'read');
  t.equal(r.fn, 'sys_read');
  t.same(r.args.map((a) => [a.type, a.name, a.pointer, a.signed, a.size]), [
    ['unsigned int', 'fd', false, false, 4],
    ['char __user *', 'buf', true, false, 8],
    ['size_t', 'count', false, false, 8],
  ]);
  t.equal(tab.getSyscallInfo(39)!.nargs, 0);
  t.same(tab.getSyscallMeta(), { max: 39, maxGeneric: 39, maxArgs: 3 });
  t.equal(errorOf(() => parsePrototypes('0 long sys_read(int fd);\n0 long sys_x(void);', 'p.txt', 8)), 'p.txt:2: syscall number 0 already defined on line 1');
  t.match(errorOf(() => parsePrototypes('\n\nbogus line', 'p.txt', 8)), /^p\.txt:3: expected '<number> <return type> <name>\(<args>\);'/);
  t.match(errorOf(() => parsePrototypes('5 long sys_x(, int fd);', 'p.txt', 8)), /^p\.txt:1: expected '<type> <name>'/);
  const unnamed = parsePrototypes('5 long sys_x(int, char __user *);', 'p.txt', 8).getSyscallInfo(5)!;
  t.same(unnamed.args.map((a) => [a.type, a.name]), [['int', 'arg0'], ['char __user *', 'arg1']], 'unnamed arguments are named argN');
});

t.test('bundled tables and profiles load', async (t) => {
  t.ok(availableProfiles().includes('linux_x64'));
  for (const name of availableProfiles()) {
    const p = loadProfile(name);
    const tab = loadPrototypes(p.prototypes, p.wordSize, p.names);
    t.ok(tab.all().length > 200, `${name}: ${tab.all().length} syscalls`);
  }
  const x64 = loadPrototypes('linux_x64.txt', 8, loadProfile('linux_x64').names);
  t.equal(x64.getSyscallInfo(257)?.name, 'openat');
  t.equal(x64.getSyscallInfo(4)?.name, 'stat');
  t.equal(x64.getSyscallInfo(231)?.noreturn, true);
  t.equal(errorOf(() => loadProfile('nope')), `unknown profile 'nope' (available: ${availableProfiles().join(', ')})`);
});

t.test('profile errors name file, line and column', async (t) => {
  const good = loadProfile('linux_x64');
  t.equal(good.registers.retaddr, 'rcx');
  t.equal(good.kaslr?.gates[14], 'asm_exc_page_fault');
  t.match(errorOf(() => parseProfile('name: x\nos: plan9\n', 'bad.yaml')), /^bad\.yaml:\d+:\d+: /);
  t.match(errorOf(() => parseProfile('name: x\nbogus: 1\n', 'bad.yaml')), /^bad\.yaml:2:1: unknown key 'bogus'/);
  t.match(errorOf(() => parseProfile('name: [x\n', 'bad.yaml')), /^bad\.yaml:\d+:\d+: /);
});

t.test('System.map and kallsyms', async (t) => {
  const m = parseSystemMap('ffffffff81000000 T _text\nffffffff81c00080 T entry_SYSCALL_64\nffffffffc0000000 t foo\t[mod]\n', 'k');
  t.equal(m.lookup('entry_SYSCALL_64'), 0xffffffff81c00080n);
  t.equal(m.lookup('foo'), undefined, 'module symbols are skipped');
  const slid = m.withSlide(0x200000n);
  t.equal(slid.lookup('_text'), 0xffffffff81200000n);
  t.equal(slid.describe(0xffffffff81e00090n), 'entry_SYSCALL_64+0x10');
  t.match(errorOf(() => parseSystemMap('ffff T a\nnot a symbol line\n', 'k.map')), /^k\.map:2: expected '<hex address> <type> <name>'/);
  t.match(errorOf(() => parseSystemMap('0000000000000000 T a\n0000000000000000 T b\n', 'k')), /kptr_restrict/);
  t.match(errorOf(() => parseSystemMap('The real System.map is in the linux-image-<version>-dbg package\n', 'System.map')), /placeholder/);
});

t.test('IDT gates', async (t) => {
  t.equal(parseIdtBase('GDT=     fffffe0000001000 0000007f\nIDT=     fffffe0000000000 00000fff\n'), 0xfffffe0000000000n);
  t.equal(parseIdtBase('nothing'), undefined);
  // 64-bit gate for 0xffffffff81a01234: low 0x1234, mid 0x81a0, high 0xffffffff
  const gate = Buffer.from([0x34, 0x12, 0x10, 0x00, 0x00, 0x8e, 0xa0, 0x81, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0]);
  t.equal(gateTarget(gate, 8), 0xffffffff81a01234n);
});
