/**
 * Lists, macros and rules: expansion, merging across files (replace, append, enable),
 * exceptions in both of Falco's forms, and output templates.
 */
import t from 'tap';
import { compile, ev, openat, view } from '../fixtures/pipeline/helpers.js';

const hostname = openat('/etc/hostname', { dir: 'return', ret: 3 });
const passwd = openat('/etc/passwd', { dir: 'return', ret: 4 });
const missing = openat('/nonexistent/file', { dir: 'return', ret: -2, errno: 'ENOENT' });
const read = ev('read', [['fd', 3, '3']], { dir: 'return', ret: 15 });

const match = (rules: ReturnType<typeof compile>['rules'], name: string, e: object): boolean => rules.find((r) => r.name === name)!.test(view(e as never));

t.test('lists expand inside in (...), nested lists too, quoted names do not', async (t) => {
  const { rules, errors } = compile(`
- list: etc_files
  items: [/etc/hostname]
- list: secret_files
  items: [etc_files, /etc/passwd]
- rule: secret
  condition: arg.filename in (secret_files)
  output: x
- rule: quoted
  condition: arg.filename in ("secret_files")
  output: x
`);
  t.same(errors, []);
  t.ok(match(rules, 'secret', hostname), 'item of the nested list');
  t.ok(match(rules, 'secret', passwd), 'item of the list');
  t.notOk(match(rules, 'secret', missing));
  t.notOk(match(rules, 'quoted', hostname), 'a quoted list name is a plain value');
});

t.test('macros expand, inside macros too, in any order of definition', async (t) => {
  const { rules, errors } = compile(`
- rule: failed open
  condition: open_call and failed
  output: x
- macro: failed
  condition: ret < 0
- macro: open_call
  condition: (syscall.name in (open, openat)) and is_return
- macro: is_return
  condition: evt.dir = return
`);
  t.same(errors, []);
  t.ok(match(rules, 'failed open', missing));
  t.notOk(match(rules, 'failed open', hostname));
  t.notOk(match(rules, 'failed open', read));
});

t.test('macro and list cycles, unknown names: errors at their place', async (t) => {
  const { errors } = compile(`
- macro: a
  condition: b
- macro: b
  condition: a and ret = 1
- list: l1
  items: [l2]
- list: l2
  items: [l1]
- rule: r
  condition: c
  output: x
`);
  t.same(errors, [
    "rules.yaml:3:14: macro 'b' uses itself: b -> a -> b",
    "rules.yaml:5:14: macro 'a' uses itself: a -> b -> a",
    "rules.yaml:6:3: list 'l1' contains itself: l1 -> l2 -> l1",
    "rules.yaml:8:3: list 'l2' contains itself: l2 -> l1 -> l2",
    "rules.yaml:11:14: unknown macro 'c'; a comparison needs a field, an operator and a value",
  ]);
});

t.test('exceptions: tuples of fields, Falco\'s one-field form, list names', async (t) => {
  const { rules, errors } = compile(`
- list: allowed_files
  items: [/etc/hostname]
- rule: tuple
  condition: syscall.name = openat and evt.dir = return
  output: x
  exceptions:
    - name: known
      fields: [syscall.name, arg.filename]
      comps: [=, startswith]
      values:
        - [openat, /etc/pass]
- rule: single
  condition: syscall.name = openat and evt.dir = return
  output: x
  exceptions:
    - name: files
      fields: arg.filename
      values: [allowed_files, /nonexistent/file]
- rule: in-tuple
  condition: syscall.name = openat and evt.dir = return
  output: x
  exceptions:
    - name: files
      fields: [arg.filename, ret]
      comps: [in, "<"]
      values:
        - [[/etc/hostname, /etc/passwd], 4]
`);
  t.same(errors, []);
  t.ok(match(rules, 'tuple', hostname), 'not excused');
  t.notOk(match(rules, 'tuple', passwd), 'excused by the tuple');
  t.notOk(match(rules, 'single', hostname), 'excused through a list name');
  t.notOk(match(rules, 'single', missing), 'excused by a plain value');
  t.ok(match(rules, 'single', passwd));
  t.notOk(match(rules, 'in-tuple', hostname), 'in a YAML list and ret < 4');
  t.ok(match(rules, 'in-tuple', passwd), 'ret 4 is not < 4');
});

t.test('exception errors: wrong arity, bad operator, unknown field', async (t) => {
  const { errors } = compile(`
- rule: a
  condition: evt.dir = return
  output: x
  exceptions:
    - name: e
      fields: [syscall.name, arg.filename]
      values:
        - [openat]
- rule: b
  condition: evt.dir = return
  output: x
  exceptions:
    - name: e
      fields: [syscall.name]
      comps: [like]
      values: [[openat]]
- rule: c
  condition: evt.dir = return
  output: x
  exceptions:
    - name: e
      fields: [arg.nosuch]
      values: [[x]]
`);
  t.match(errors, [
    /^rules\.yaml:9:11: expected 2 values \(one per field: syscall.name, arg.filename\), got 1/,
    /^rules\.yaml:16:15: expected a comparison operator, got 'like'/,
    /^rules\.yaml:23:16: no syscall of this profile has an argument named 'nosuch'/,
  ]);
});

t.test('later files: replace, append, enable; errors for appends to nothing', async (t) => {
  const base = `
- list: files
  items: [/etc/hostname]
- macro: is_open
  condition: syscall.name = openat
- rule: opens
  condition: is_open and arg.filename in (files)
  output: first
- rule: reads
  condition: syscall.name = read
  output: x
- rule: quiet
  condition: syscall.name = read
  output: x
  enabled: false
`;
  const more = `
- list: files
  items: [/etc/passwd]
  append: true
- rule: opens
  condition: and ret > 3
  append: true
- rule: reads
  enabled: false
- rule: quiet
  enabled: true
`;
  const { rules, errors } = compile(base, more);
  t.same(errors, []);
  t.notOk(match(rules, 'opens', hostname), 'appended condition: ret 3 is not > 3');
  t.ok(match(rules, 'opens', passwd), 'appended list item, ret 4');
  t.equal(rules.find((r) => r.name === 'reads')!.enabled, false, 'switched off');
  t.equal(rules.find((r) => r.name === 'quiet')!.enabled, true, 'switched on');
  t.equal(rules.find((r) => r.name === 'opens')!.output!(view(passwd)), 'first', 'an append keeps the output');

  const replaced = compile(base, `
- rule: opens
  condition: syscall.name = read
  output: second
`);
  t.ok(match(replaced.rules, 'opens', read), 'a rule named again replaces the earlier one');
  t.equal(replaced.rules.map((r) => r.name).join(','), 'opens,reads,quiet', 'in its first place');

  const bad = compile(base, `
- rule: nosuch
  condition: ret > 1
  append: true
- list: nolist
  items: [a]
  append: true
- rule: ghost
  enabled: true
- rule: reads
  output: y
  append: true
- rule: opens
  condition: and bogus = 1
  append: true
`);
  t.match(bad.errors, [
    /^f2\.yaml:2:3: rule 'nosuch' is not defined before this append/,
    /^f2\.yaml:5:3: list 'nolist' is not defined before this append/,
    /^f2\.yaml:8:3: rule 'ghost' is not defined earlier; a new rule needs a condition/,
    /^f2\.yaml:10:3: an append to rule 'reads' can add only 'condition' and 'exceptions', not 'output'/,
    /^f2\.yaml:14:18: unknown field 'bogus'/,
  ], 'an error in an appended condition points into the second file');
});

t.test('rule items: required keys, priorities, actions, unknown keys', async (t) => {
  const { rules, errors } = compile(`
- rule: no condition
  output: x
- rule: no output
  condition: ret > 0
- rule: counted
  condition: ret > 0
  action: count
- rule: bad priority
  condition: ret > 0
  output: x
  priority: urgent
- rule: bad action
  condition: ret > 0
  output: x
  action: explode
- rule: bad key
  condition: ret > 0
  output: x
  severity: high
- rule: defaults
  condition: ret > 0
  output: x
- rule: info
  condition: ret > 0
  output: x
  priority: INFO
  tags: [a, b]
- macro: m
- thing: x
`);
  t.match(errors, [
    /^rules\.yaml:2:3: expected 'condition' in rule 'no condition'/,
    /^rules\.yaml:4:3: expected 'output' in rule 'no output' \(only action count can go without\)/,
    /^rules\.yaml:12:13: expected a priority \(emergency, alert, critical, error, warning, notice, informational, debug\), got 'urgent'/,
    /^rules\.yaml:16:11: expected an action \(log, count, dump, stop, fail\), got 'explode'/,
    /^rules\.yaml:20:3: unknown key 'severity' in a rule/,
    /^rules\.yaml:29:3: expected 'condition' in the macro/,
    /^rules\.yaml:30:3: expected a rules item: a mapping with 'list', 'macro' or 'rule'/,
  ]);
  const d = rules.find((r) => r.name === 'defaults')!;
  t.same([d.priority, d.action, d.enabled, d.tags], ['warning', 'log', true, []]);
  const i = rules.find((r) => r.name === 'info')!;
  t.same([i.priority, i.tags], ['informational', ['a', 'b']]);
  t.ok(rules.find((r) => r.name === 'counted'), 'a count rule needs no output');
});

t.test('output templates: %fields, %%, <NA>, hex and signed raw values', async (t) => {
  const { rules, errors } = compile(`
- rule: r
  condition: evt.dir = return
  output: "%syscall.name(%arg.filename) = %ret %errno at %asid cpu%cpu dfd=%arg.dfd.raw name=%arg.filename.raw 100%% %evt.dir."
`);
  t.same(errors, []);
  t.equal(rules[0]!.output!(view(missing)), 'openat(/nonexistent/file) = -2 ENOENT at 0x2a9a000 cpu0 dfd=-100 name=0x48c0a3 100% return.');
  t.equal(rules[0]!.output!(view(hostname)), 'openat(/etc/hostname) = 3 <NA> at 0x2a9a000 cpu0 dfd=-100 name=0x48c0a3 100% return.', 'a missing field prints <NA>');
  const bad = compile(`
- rule: r
  condition: evt.dir = return
  output: "ok %syscall.name then %arg.nope and %"
`);
  t.match(bad.errors, [/^rules\.yaml:4:35: no syscall of this profile has an argument named 'nope'/]);
  const pct = compile(`
- rule: r
  condition: evt.dir = return
  output: "50% done"
`);
  t.match(pct.errors, [/^rules\.yaml:4:14: unknown field 'done'|expected a field name after '%'/]);
  const lone = compile(`
- rule: r
  condition: evt.dir = return
  output: "100 %"
`);
  t.match(lone.errors, [/^rules\.yaml:4:16: expected a field name after '%' \(write %% for a percent sign\)/]);
});
