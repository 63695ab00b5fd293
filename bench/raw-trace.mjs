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
