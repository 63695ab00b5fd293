// Case (b): the two-stops-per-call floor. A Z0 breakpoint at entry_SYSCALL_64; on each hit
// one `g`, rcx recorded as the return site and a Z0 planted there, a step over the entry
// with vCont;s:<thread>, continue; on a return-site hit one `g`, the breakpoint removed,
// continue. Nothing is decoded. The marker writes (write(1, "BENCH START\n"|"BENCH END\n"))
// are recognised from their registers and one `m`, so the window's call count is exact.
import { G, le64 } from './rsp.mjs';

export const MARKERS = { 'BENCH START\n': 'start', 'BENCH END\n': 'end' };

/**
 * Traces until the stub goes away (QEMU exits). `entry` is the slid address of
 * entry_SYSCALL_64. Returns the counters, with snapshots of them at the two markers.
 */
export async function rawTrace(rsp, entry) {
  const st = { stops: 0, entries: 0, returns: 0, other: 0, packets: 0, marks: {} };
  const returnBps = new Set();
  const hex = (v) => v.toString(16);
  await rsp.ok(`Z0,${hex(entry)},1`);
  rsp.send('c');
  for (;;) {
    const stop = await rsp.next();
    if (stop === null || stop[0] === 'W' || stop[0] === 'X') break;
    if (stop[0] !== 'T' && stop[0] !== 'S') throw new Error(`unexpected stop reply ${stop}`);
    st.stops++;
    const thread = /thread:([^;]+);/.exec(stop)?.[1];
    const g = await rsp.request('g');
    st.packets++;
    if (g === null) break;
    const rip = le64(g, G.rip);
    if (rip === entry) {
      st.entries++;
      const rax = le64(g, G.rax);
      const rdi = le64(g, G.rdi);
      const rdx = le64(g, G.rdx);
      if (rax === 1n && rdi === 1n && (rdx === 12n || rdx === 10n)) {
        const m = await rsp.readMemory(le64(g, G.rsi), Number(rdx));
        st.packets++;
        const which = m && MARKERS[m.toString('latin1')];
        if (which) st.marks[which] = { entries: st.entries, returns: st.returns, stops: st.stops };
      }
      const rcx = le64(g, G.rcx);
      if (!returnBps.has(rcx)) {
        await rsp.ok(`Z0,${hex(rcx)},1`);
        st.packets++;
        returnBps.add(rcx);
      }
      const stepped = await rsp.request(`vCont;s:${thread}`);
      st.packets++;
      if (stepped === null || stepped[0] === 'W' || stepped[0] === 'X') break;
    } else if (returnBps.has(rip)) {
      st.returns++;
      await rsp.ok(`z0,${hex(rip)},1`);
      st.packets++;
      returnBps.delete(rip);
    } else {
      st.other++;
    }
    rsp.send('c');
    st.packets += 1;
  }
  return st;
}

/**
 * Case (b1): the one-stop-per-call floor. A Z0 breakpoint at syscall_exit_to_user_mode
 * (struct pt_regs * in rdi); on each hit one `g`, one `m` of pt_regs (168 bytes: number,
 * arguments and return value; offsets of profiles/linux_x64.yaml), a step over with
 * vCont;s:<thread>, continue. exit/exit_group never pass there; nothing else is caught.
 */
export async function rawExitTrace(rsp, exitAddr) {
  const st = { stops: 0, entries: 0, returns: 0, other: 0, packets: 0, marks: {} };
  await rsp.ok(`Z0,${exitAddr.toString(16)},1`);
  rsp.send('c');
  for (;;) {
    const stop = await rsp.next();
    if (stop === null || stop[0] === 'W' || stop[0] === 'X') break;
    if (stop[0] !== 'T' && stop[0] !== 'S') throw new Error(`unexpected stop reply ${stop}`);
    st.stops++;
    const thread = /thread:([^;]+);/.exec(stop)?.[1];
    const g = await rsp.request('g');
    st.packets++;
    if (g === null) break;
    if (le64(g, G.rip) === exitAddr) {
      const regs = await rsp.readMemory(le64(g, G.rdi), 168);
      st.packets++;
      if (regs) {
        st.entries++;
        st.returns++;
        const nr = regs.readBigUInt64LE(120);
        const fd = regs.readBigUInt64LE(112);
        const len = regs.readBigUInt64LE(96);
        if (nr === 1n && fd === 1n && (len === 12n || len === 10n)) {
          const m = await rsp.readMemory(regs.readBigUInt64LE(104), Number(len));
          st.packets++;
          const which = m && MARKERS[m.toString('latin1')];
          // Seen at exit: the marker call itself is the last call before the window (start)
          // and the last one in it (end), as at entry in rawTrace.
          if (which) st.marks[which] = { entries: st.entries, returns: st.returns, stops: st.stops };
        }
      }
      const stepped = await rsp.request(`vCont;s:${thread}`);
      st.packets++;
      if (stepped === null || stepped[0] === 'W' || stepped[0] === 'X') break;
    } else st.other++;
    rsp.send('c');
    st.packets++;
  }
  return st;
}

/**
 * Case (a1): attached with breakpoints that the workload never hits (the handler of a call
 * it never makes): what QEMU itself charges for a planted breakpoint, the floor of (e).
 * Any hit is stepped over and counted.
 */
export async function rawIdle(rsp, addrs) {
  const st = { stops: 0, entries: 0, returns: 0, other: 0, packets: 0, marks: {} };
  for (const a of addrs) await rsp.ok(`Z0,${a.toString(16)},1`);
  rsp.send('c');
  for (;;) {
    const stop = await rsp.next();
    if (stop === null || stop[0] === 'W' || stop[0] === 'X') break;
    st.stops++;
    st.other++;
    const thread = /thread:([^;]+);/.exec(stop)?.[1];
    const stepped = await rsp.request(`vCont;s:${thread}`);
    if (stepped === null || stepped[0] === 'W' || stepped[0] === 'X') break;
    rsp.send('c');
  }
  return st;
}
