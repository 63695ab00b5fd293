/**
 * Which calls a rule needs (for the selective mode): syscall fields and argument names
 * narrow the set, `not` and `or` widen it, anything that may match an unknown number
 * means every call.
 */
import t from 'tap';
import { syscallsOf, UNKNOWN } from '../../src/pipeline/rules/syscall-set.js';
import { compile, linux } from '../fixtures/pipeline/helpers.js';

function needs(condition: string): string[] | 'all' {
  const { rules, errors } = compile(`- rule: r\n  condition: ${JSON.stringify(condition)}\n  output: x\n`);
  if (errors.length) throw new Error(errors.join('\n'));
  const set = syscallsOf(rules[0]!.resolved, linux().table.all());
  return set.has(UNKNOWN) ? 'all' : [...set].sort();
}

const total = linux().table.all().length;

t.same(needs('syscall.name = openat'), ['openat']);
t.same(needs('syscall.name in (read, write) and ret < 0'), ['read', 'write'], 'other fields do not widen an and');
t.same(needs('evt.type = read or syscall.name = close'), ['close', 'read']);
t.same(needs('syscall.no = 257'), ['openat']);
t.same(needs('syscall.fn = sys_read'), ['read']);
t.same(needs('syscall.name startswith openat'), ['openat', 'openat2'], 'string operators are evaluated over the table');
t.same(needs('syscall.name glob "*stat*" and syscall.name endswith at'), ['fstat', 'lstat', 'newfstatat', 'stat', 'ustat'], 'a glob may match unknown names, the and with endswith cannot');
t.equal(needs('syscall.name endswith 8'), 'all', 'syscall_0x3e8 ends with 8');
t.equal(needs('syscall.name startswith sysc'), 'all', 'every unknown name starts with syscall_0x');
t.same(needs('syscall.name contains pen'), linux().table.all().map((s) => s.name).filter((n) => n.includes('pen')).sort(), 'contains: no unknown name has "pen"');
t.equal(needs('syscall.name contains x3'), 'all', 'syscall_0x3e8 contains x3');
t.same(needs('arg.filename exists'), linux().table.all().filter((s) => s.args.some((a) => a.name === 'filename')).map((s) => s.name).sort(), 'an argument name narrows to the calls that have it');
t.same(needs('arg.filename = /etc/hostname and syscall.name in (openat, read)'), ['openat']);
t.same(needs('(syscall.name = openat or syscall.name = read) and not syscall.name = read'), ['openat'], 'must-sets make not exact');
t.equal(needs('ret < 0'), 'all', 'no syscall field: everything');
t.equal(needs('not syscall.name = openat'), 'all', 'the complement includes unknown numbers');
t.equal(needs('syscall.no > 400'), 'all', 'a range may hit numbers not in the table');
t.equal(needs('syscall.unknown'), 'all');
t.equal(needs('syscall.name = openat or errno = ENOENT'), 'all', 'an or with an unrestricted side');
t.same(needs('not (not syscall.name = openat)'), ['openat']);
t.same(needs('syscall.name = openat and not ret = 3'), ['openat'], 'not of a non-syscall field keeps the and narrow');
t.ok(total > 300, 'the table is the real one');
