/**
 * The trace event: a plain object every stage reads and none rewrites (../shared/DESIGN.md).
 * JSONL output is these objects, one per line. Field names are stable; see docs/events.md.
 */
export interface EventArg {
  name: string;
  /** C type from the prototype. */
  type: string;
  /** The register value, as `0x...` hex (JSON has no 64-bit integers). */
  raw: string;
  /** strace's rendering, once decoded (entry, or return for out-parameters). */
  text?: string;
}

export interface TraceEvent {
  /** Increasing number of the event in this trace. */
  seq: number;
  /** Seconds since the epoch, microsecond resolution. */
  ts: number;
  dir: 'enter' | 'return';
  /** Number of the call this event belongs to: an enter and its return(s) share it. */
  call: number;
  /** vCPU index (0-based). */
  cpu: number;
  /** Address-space id (page-table base), hex. */
  asid: string;
  /** Where the vCPU stopped: the entry point, or the user return site. */
  pc: string;
  /** User return site of the call, hex. */
  retaddr: string;
  /** User stack pointer at the call, hex. */
  sp: string;
  no: number;
  /** strace's name (`openat`; `syscall_0x3e8` for a number the table lacks). */
  name: string;
  /** True when the number is not in the profile's table. */
  unknown?: boolean;
  args: EventArg[];
  /** Return value as a signed number (return events). */
  ret?: number;
  /** errno name when the call failed (`ENOENT`). */
  errno?: string;
  /** `3`, `-1 ENOENT (No such file or directory)`, `?` for calls that never return. */
  retText?: string;
  /** The complete strace line of the call, on the event that completes it. */
  line?: string;
  /** A fork-like call's return in the child (0). */
  child?: boolean;
  /** The call does not return to user space (exit, exit_group; a successful execve is reported at commit). */
  noreturn?: boolean;
  /** Process id (thread group id) of the caller, when task_struct offsets are known (--btf). */
  pid?: number;
  /** Thread id of the caller (the kernel's task pid; strace's `[pid N]`). */
  tid?: number;
  /** Parent's process id. */
  ppid?: number;
  /** The caller's command name (task_struct.comm, at most 15 bytes). */
  comm?: string;
  /**
   * An enter event produced at the call's exit (one-stop-per-call mode): its arguments are as
   * passed, but it was seen only when the call completed.
   */
  late?: boolean;
  profile: string;
  /** Which system-call ABI the entry point serves (`x64`). */
  abi: string;
}
