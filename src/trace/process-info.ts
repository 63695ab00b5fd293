/**
 * Who made a call: pid, tid, ppid and comm of the task running on the stopped vCPU, read from
 * the kernel's task_struct (offsets from the kernel's BTF) through the per-CPU `current_task`
 * pointer (x86_64: an offset in the per-CPU area that GS points at in kernel mode; in user mode
 * the kernel's GS base waits in MSR_KERNEL_GS_BASE, which QEMU shows as k_gs_base).
 */
import type { Btf } from '../symbols/btf.js';
import type { SymbolTable } from '../symbols/system-map.js';
import type { GuestMemory } from '../decode/memory.js';
import { readUintLE } from '../gdbstub/framing.js';

export interface ProcessInfo {
  pid: number;
  tid: number;
  ppid: number;
  comm: string;
}

interface Offsets {
  pid: number;
  tgid: number;
  comm: number;
  realParent: number;
}

export class ProcessReader {
  private constructor(private readonly currentTask: bigint, private readonly off: Offsets) {}

  /** A reader, or the reason why processes cannot be named on this kernel. */
  static create(btf: Btf, symbols: SymbolTable): ProcessReader | string {
    const currentTask = symbols.lookup('current_task');
    if (currentTask === undefined) return `no per-CPU current_task symbol in ${symbols.source}`;
    const get = (m: string): number | undefined => btf.memberOffset('task_struct', m);
    const off = { pid: get('pid'), tgid: get('tgid'), comm: get('comm'), realParent: get('real_parent') };
    for (const [k, v] of Object.entries(off)) if (v === undefined) return `task_struct.${k} not in ${btf.source}`;
    return new ProcessReader(currentTask, off as Offsets);
  }

  /** The task on this vCPU; undefined when the pointers do not lead to readable memory. */
  async read(mem: GuestMemory, gsBase: bigint, kernelGsBase: bigint): Promise<ProcessInfo | undefined> {
    const isKernel = (a: bigint): boolean => a >= 0xffff_8000_0000_0000n;
    const base = isKernel(gsBase) ? gsBase : isKernel(kernelGsBase) ? kernelGsBase : undefined;
    if (base === undefined) return undefined;
    const cur = await mem.read(base + this.currentTask, 8);
    if (!cur || cur.length < 8) return undefined;
    const task = readUintLE(cur);
    if (!isKernel(task)) return undefined;
    const o = this.off;
    const lo = Math.min(o.pid, o.tgid, o.realParent, o.comm);
    const hi = Math.max(o.pid + 4, o.tgid + 4, o.realParent + 8, o.comm + 16);
    const b = await mem.read(task + BigInt(lo), hi - lo);
    if (!b || b.length < hi - lo) return undefined;
    const parent = readUintLE(b, o.realParent - lo, 8);
    let ppid = 0;
    if (isKernel(parent)) {
      const pb = await mem.read(parent + BigInt(o.tgid), 4);
      if (pb && pb.length === 4) ppid = pb.readInt32LE(0);
    }
    const commBytes = b.subarray(o.comm - lo, o.comm - lo + 16);
    const nul = commBytes.indexOf(0);
    return {
      pid: b.readInt32LE(o.tgid - lo),
      tid: b.readInt32LE(o.pid - lo),
      ppid,
      comm: commBytes.subarray(0, nul < 0 ? 16 : nul).toString('latin1'),
    };
  }
}
