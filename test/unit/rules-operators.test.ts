/**
 * Every comparison operator on every kind of field, true and false, and the type checks
 * that reject a comparison before the guest runs.
 */
import t from 'tap';
import { cond, ev, openat } from '../fixtures/pipeline/helpers.js';

const hostnameEnter = openat('/etc/hostname');
const hostnameRet = openat('/etc/hostname', { dir: 'return', ret: 3, retText: '3', line: 'openat(...) = 3' });
const missing = openat('/nonexistent/file', { dir: 'return', ret: -2, errno: 'ENOENT', retText: '-1 ENOENT (No such file or directory)', cpu: 1 });
const read = ev('read', [['fd', 3, '3'], ['buf', 0x7ffc1000, '"systrace-guest\\n"'], ['count', 64, '64']], { dir: 'return', ret: 15 });
const unknown = ev('syscall_0x3e8', [['arg0', 1], ['arg1', 2]], { no: 1000, unknown: true });

/** [condition, events it must match, events it must not]. */
const CASES: [string, object[], object[]][] = [
  ['syscall.name = openat', [hostnameEnter, missing], [read, unknown]],
  ['syscall.name == read', [read], [hostnameEnter]],
  ['syscall.name != openat', [read, unknown], [hostnameEnter]],
  ['syscall.no = 257', [hostnameEnter], [read]],
  ['syscall.no < 1', [read], [hostnameEnter]],
  ['syscall.no <= 0', [read], [hostnameEnter]],
  ['syscall.no > 256', [hostnameEnter, unknown], [read]],
  ['syscall.no >= 1000', [unknown], [hostnameEnter, read]],
  ['syscall.no = 0x101', [hostnameEnter], [read]],
  ['ret < 0', [missing], [hostnameRet, hostnameEnter]],
  ['ret = -2', [missing], [hostnameRet]],
  ['ret >= 3', [hostnameRet, read], [missing]],
  ['syscall.name in (read, write, openat)', [read, hostnameEnter], [unknown]],
  ["arg.filename in ('/etc/passwd', /etc/hostname)", [hostnameEnter], [missing, read]],
  ['arg.filename contains host', [hostnameEnter], [missing, read]],
  ['arg.filename icontains HOST', [hostnameEnter], [missing]],
  ['arg.filename startswith /etc/', [hostnameEnter], [missing]],
  ['arg.filename endswith /file', [missing], [hostnameEnter]],
  ['arg.filename glob /etc/*name', [hostnameEnter], [missing]],
  ['arg.filename glob "/non?xistent/[a-f]ile"', [missing], [hostnameEnter]],
  ['arg.filename glob /[!e]*', [missing], [hostnameEnter]],
  ['errno exists', [missing], [hostnameRet, hostnameEnter]],
  ['not errno exists', [hostnameRet], [missing]],
  ['errno = ENOENT', [missing], [hostnameRet]],
  ['errno != ENOENT', [], [missing, hostnameRet]],
  ['evt.dir = enter', [hostnameEnter, unknown], [hostnameRet]],
  ['evt.dir = return and ret = 3', [hostnameRet], [hostnameEnter]],
  ['cpu = 1', [missing], [hostnameEnter]],
  ['asid = 0x2a9a000', [hostnameEnter], [ev('read', [], { asid: '0x1000' })]],
  ['arg.dfd = AT_FDCWD', [hostnameEnter], [read]],
  ['arg.dfd.raw = -100', [hostnameEnter], [read]],
  ['arg.dfd.raw < 0', [hostnameEnter], [read]],
  ['arg.count.raw > 10', [read], [hostnameEnter]],
  ['arg.buf = "systrace-guest\\n"', [read], [hostnameEnter]],
  ['arg.fd = 3', [read], [hostnameEnter]],
  ['arg.flags.text = O_RDONLY', [hostnameEnter], [read]],
  ['arg.1 = /etc/hostname', [hostnameEnter], [read]],
  ['arg.1.raw = 0x48c0a3', [hostnameEnter], [read]],
  ['syscall.unknown', [unknown], [read]],
  ['syscall.unknown = false', [read], [unknown]],
  ['syscall.fn = sys_openat', [hostnameEnter], [read, unknown]],
  ['syscall.name = syscall_0x3e8', [unknown], [read]],
  ['evt.type = read', [read], [hostnameEnter]],
  ['proc.name = systest', [ev('read', [], { comm: 'systest' })], [read]],
  ['proc.pid = 89', [ev('read', [], { pid: 89 })], [read, ev('read', [], { pid: 90 })]],
  ['thread.tid != 89', [ev('read', [], { tid: 90 })], [read]],
  ['evt.line contains "= 3"', [hostnameRet], [hostnameEnter]],
  ['child', [ev('fork', [], { dir: 'return', child: true, ret: 0 })], [ev('fork', [], { dir: 'return', ret: 91 })]],
];

for (const [condition, yes, no] of CASES) {
  t.test(condition, async (t) => {
    const c = cond(condition);
    t.same(c.errors, [], 'compiles');
    yes.forEach((e, i) => t.ok(c.test(e as never), `matches event ${i + 1}`));
    no.forEach((e, i) => t.notOk(c.test(e as never), `does not match event ${i + 1}`));
  });
}

t.test('a field the event lacks makes every comparison false, even !=', async (t) => {
  for (const c of ['ret != 5', 'ret = 5', 'errno != ENOENT', 'arg.fd != 3', 'proc.name != x', 'arg.fd.raw < 100']) {
    t.notOk(cond(c).test(hostnameEnter), c);
  }
  t.ok(cond('not ret = 5').test(hostnameEnter), 'not of a false comparison is true');
});

t.test('type and value checks before the guest runs', async (t) => {
  const bad: [string, RegExp][] = [
    ['syscall.no contains 1', /'contains' compares text; syscall.no is a number/],
    ['arg.filename < 3', /'<' compares numbers; arg.filename is a string \(use arg.filename.raw for its value\)/],
    ['ret = three', /expected a number for ret/],
    ['child = yes', /expected true or false for child/],
    ['syscall.name = opneat', /no syscall 'opneat' in profile linux_x64 \(did you mean openat\?\)/],
    ['syscall.name in (read, wirte)', /no syscall 'wirte'.*did you mean write/],
    ['errno = ENOENTT', /unknown errno name 'ENOENTT'/],
    ['evt.dir = exit', /expected enter or return for evt.dir/],
    ['arg.filname = x', /no syscall of this profile has an argument named 'filname' \(did you mean arg.filename\?\)/],
    ['proc.exe = x', /proc.exe is not available: the process fields are proc.pid/],
    ['fd.name = x', /fd.\* fields are not available: name the argument instead/],
    ['evt.dirr = enter', /unknown field 'evt.dirr' \(did you mean evt.dir\?\)/],
    ['ret', /expected an operator after field 'ret'/],
    ['nosuchmacro', /unknown macro 'nosuchmacro'/],
  ];
  for (const [c, msg] of bad) {
    const { errors } = cond(c);
    t.equal(errors.length, 1, `${c}: one error`);
    t.match(errors[0], msg, c);
  }
});
