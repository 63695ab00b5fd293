/**
 * linux_arm on its real guest: boot the armhf guest (Debian's armmp kernel under
 * qemu-system-arm -M virt -cpu cortex-a15, no KASLR, -smp 2) under `systrace run --mode entry`,
 * and compare the calls systrace decoded with the calls the test program says it made
 * (test/guest/systest.c, built -mthumb, logs them in strace's arm notation).
 * Entry right after `str r0, [sp, #S_OLD_R0]` in vector_swi (where all three swi vectors meet and
 * sp is a complete struct pt_regs; number in r7), returns at the user return site matched by
 * (TTBR0, sp, pc), with a Thumb or an ARM breakpoint by the saved CPSR's T bit.
 */
import t from 'tap';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkCommon, checkLog } from './checks.js';
import { buildGuest, guestDir, qemuCommand, traceGuest } from './guest.js';
import type { TraceEvent } from '../../src/trace/event.js';

interface ElfFunctions {
  fns: Map<string, { start: number; size: number; thumb: boolean }>;
  /** `n` bytes of the loaded image at a virtual address (from the section holding it). */
  bytesAt: (addr: number, n: number) => Buffer | undefined;
}

/** Function symbols of a 32-bit little-endian ELF (.symtab): start (Thumb bit cleared), size, Thumb. */
function elfFunctions(file: string): ElfFunctions {
  const b = readFileSync(file);
  const fns = new Map<string, { start: number; size: number; thumb: boolean }>();
  const sections: Array<{ addr: number; offset: number; size: number }> = [];
  const bytesAt = (addr: number, n: number) => {
    const s = sections.find((x) => x.addr !== 0 && addr >= x.addr && addr + n <= x.addr + x.size);
    return s ? b.subarray(s.offset + addr - s.addr, s.offset + addr - s.addr + n) : undefined;
  };
  if (b.readUInt32BE(0) !== 0x7f454c46 || b[4] !== 1 || b[5] !== 1) return { fns, bytesAt }; // ELFCLASS32, little-endian
  const shoff = b.readUInt32LE(0x20);
  const shentsize = b.readUInt16LE(0x2e);
  const shnum = b.readUInt16LE(0x30);
  const sh = (i: number) => {
    const o = shoff + i * shentsize;
    return { type: b.readUInt32LE(o + 4), addr: b.readUInt32LE(o + 12), offset: b.readUInt32LE(o + 16), size: b.readUInt32LE(o + 20), link: b.readUInt32LE(o + 24) };
  };
  for (let i = 0; i < shnum; i++) {
    const s = sh(i);
    if (s.type === 1) sections.push(s); // SHT_PROGBITS
    if (s.type !== 2) continue; // SHT_SYMTAB
    const str = sh(s.link);
    for (let o = s.offset; o + 16 <= s.offset + s.size; o += 16) {
      if ((b[o + 12]! & 0xf) !== 2) continue; // STT_FUNC
      const nameAt = str.offset + b.readUInt32LE(o);
      const name = b.toString('latin1', nameAt, b.indexOf(0, nameAt));
      const value = b.readUInt32LE(o + 4);
      fns.set(name, { start: value & ~1, size: b.readUInt32LE(o + 8), thumb: (value & 1) === 1 });
    }
  }
  return { fns, bytesAt };
}

// scripts/test.sh builds only the x86_64 guest: this test builds (or checks the cache of) its own,
// which also installs qemu-system-arm and the armhf cross compiler on a fresh machine.
const notReady = await buildGuest('armhf', (text) => t.comment(text));
if (notReady) t.fail(notReady);
else await t.test('mode entry', async (t) => {
  const { res, events, expected, seconds } = await traceGuest(
    ['--profile', 'linux_arm', '--mode', 'entry', '--symbols', join(guestDir('armhf'), 'kallsyms')],
    qemuCommand('', 'armhf'),
    { timeoutMs: 600_000 },
  );
  t.comment(`traced in ${seconds.toFixed(1)} s`);
  t.equal(res.code, 0, 'systrace run exits with QEMU status 0', { stderr: res.stderr.slice(-3000) });
  t.match(res.stderr, /breakpoint on vector_swi\+0x24 \(after instruction 0xe58d0044\) at 0xc0300204/, 'the entry breakpoint is right after the ORIG_r0 store in vector_swi');
  t.ok(expected, 'the guest program printed its log', { stdout: res.stdout.slice(-2000) });
  t.ok(events.length > 50, `trace has events (${events.length})`);
  t.ok(events.every((e) => e.profile === 'linux_arm' && e.abi === 'arm'), 'every event is of the arm ABI');
  const lines = events.filter((e) => e.line !== undefined).map((e) => e.line!);
  if (!expected) return;

  checkLog(t, expected, lines);
  checkCommon(t, events, lines, { unknown: { no: 1000, name: 'syscall_0x3e8', ret: -38 } });






  // systest.c: main's calls are Thumb-2 code (-mthumb), the reader thread's gettid and read go
  // through sc6_arm, compiled as ARM code. Both kinds of return site must be caught.
  t.test('Thumb and ARM return sites', async (t) => {
    const { fns, bytesAt } = elfFunctions(join(guestDir('armhf'), 'systest'));
    const main = fns.get('main');
    const arm = fns.get('sc6_arm');
    t.ok(main?.thumb, 'main is Thumb code');
    t.ok(arm && !arm.thumb, 'sc6_arm is ARM code');
    if (!main || !arm) return;
    const inside = (e: TraceEvent | undefined, f: { start: number; size: number }) => e !== undefined && Number(e.retaddr) >= f.start && Number(e.retaddr) < f.start + f.size;
    const getpid = events.find((e) => e.dir === 'return' && e.line === `getpid() = ${expected.pid}`);
    t.ok(inside(getpid, main), `main's getpid returned to Thumb code in main (${getpid?.retaddr})`);
    // The return site is right after the trap: Thumb `svc 0` is the halfword 0xdf00, ARM `svc 0` the word 0xef000000.
    t.equal(getpid && bytesAt(Number(getpid.retaddr) - 2, 2)?.readUInt16LE(0), 0xdf00, 'right after a 16-bit Thumb svc');
    const tidLine = expected.lines.find((l) => l.tag === 'thread' && l.line.startsWith('gettid() = '))?.line;
    const gettid = events.find((e) => e.dir === 'return' && e.line !== undefined && e.line === tidLine);
    t.ok(inside(gettid, arm), `the thread's gettid returned to ARM code in sc6_arm (${gettid?.retaddr})`);
    t.equal(gettid && bytesAt(Number(gettid.retaddr) - 4, 4)?.readUInt32LE(0), 0xef000000, 'right after an ARM svc');
    const read = events.find((e) => e.dir === 'return' && e.name === 'read' && e.line?.includes('"ping", 16) = 4'));
    t.ok(inside(read, arm), 'and so did its blocking read');
  });

  for (const [what, childFirst] of [['fork', false], ['vfork', true]] as const) {
    t.test(`${what} returns in parent and child${childFirst ? ', the child first' : ''}`, async (t) => {
      const rets = events.filter((e) => e.dir === 'return' && e.name === what && e.line?.startsWith(`${what}() = `));
      const call = rets.filter((e) => e.call === rets[0]?.call);
      t.equal(call.length, 2, `the ${what} returned twice`);
      const child = call.find((e) => e.child) as TraceEvent | undefined;
      const parent = call.find((e) => !e.child) as TraceEvent | undefined;
      t.equal(child?.ret, 0, 'child gets 0');
      t.ok((parent?.ret ?? 0) > 0, 'parent gets the child pid');
      if (!child || !parent) return;
      t.equal(child.retaddr, parent.retaddr, 'both return at the same user pc');
      if (childFirst) t.ok(child.seq < parent.seq, 'the vfork child returns first');
      if (what === 'fork') t.not(child.asid, parent.asid, 'the fork child returns in a new address space (TTBR0)');
      else t.equal(child.asid, parent.asid, 'the vfork child shares the address space');
    });
  }

  // systest step 13b: kill(2) of itself, an SA_SIGINFO handler (rt_sigreturn, struct rt_sigframe)
  // then a plain one (sigreturn, struct sigframe), HUP and WINCH blocked before.
  t.test('rt_sigreturn and sigreturn restore the mask and r0 from their own frames', async (t) => {
    for (const [name, sig] of [['rt_sigreturn', 'SIGUSR1'], ['sigreturn', 'SIGUSR2']] as const) {
      const want = [`${name}({mask=[HUP WINCH]}) = 0`, `kill(${expected.pid}, ${sig}) = 0`];
      t.same(expected.lines.filter((l) => want.includes(l.line)).map((l) => l.line), want, `the program logged ${name} then kill`);
      const sr = events.find((e) => e.line === want[0]);
      const kill = events.find((e) => e.dir === 'return' && e.line === want[1]);
      t.ok(sr?.noreturn && sr.dir === 'enter', `${name} is complete at its entry`);
      t.ok(sr && kill && sr.seq < kill.seq && sr.sp !== kill.sp, `it comes before kill returns, on the signal frame's stack`);
    }
  });

  // busybox ash (the guest's /init) handles SIGCHLD without SA_SIGINFO: glibc's restorer is then
  // the old-style sigreturn (119), whose frame is a struct sigframe at the user sp.
  t.test('sigreturn completes at its entry with the mask and r0 its frame restores', async (t) => {
    const srs = events.filter((e) => e.name === 'sigreturn');
    t.ok(srs.length >= 1, `busybox's SIGCHLD handlers returned through sigreturn (${srs.length})`);
    t.ok(srs.every((e) => e.dir === 'enter' && e.noreturn && /^sigreturn\(\{mask=~?\[[A-Z0-9_ ]*\]\}\) = (\d+|-1 E[A-Z0-9]+ \(.+\)|\? E[A-Z0-9]+ \(.+\))$/.test(e.line ?? '')), 'each one: sigreturn({mask=[...]}) = the restored value (a number, or an interrupted call\'s error)', { lines: srs.map((e) => e.line) });
  });

  // pthread_create's clone(2): the new thread returns 0 at the same pc, on the stack it was given.
  t.test('a thread-creating clone returns in the parent and on the child stack', async (t) => {
    const rets = events.filter((e) => e.dir === 'return' && e.name === 'clone' && e.line?.includes('CLONE_THREAD'));
    const call = rets.filter((e) => e.call === rets[0]?.call);
    t.equal(call.length, 2, 'the thread clone returned twice');
    const child = call.find((e) => e.child);
    const parent = call.find((e) => !e.child);
    const stack = /child_stack=(0x[0-9a-f]+)/.exec(parent?.line ?? '')?.[1];
    t.equal(child?.ret, 0, 'the thread gets 0');
    t.equal(parent?.ret, Number(expected.lines.find((l) => l.tag === 'thread' && l.line.startsWith('gettid() = '))?.line.slice(11)), "the parent gets the thread's tid");
    t.equal(child?.sp, stack, 'the thread returns on the child_stack');
    t.equal(child?.asid, parent?.asid, 'in the same address space');
  });

});
