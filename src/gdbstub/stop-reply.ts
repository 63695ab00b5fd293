/**
 * Stop replies (GDB manual, "Stop Reply Packets"): `S AA`, `T AA n1:r1;...`, `W AA`,
 * `X AA`. QEMU sends bare `T05thread:p01.01;` with no registers and no reason.
 */

export type StopReply =
  | { kind: 'signal'; signal: number; thread?: string; info: Map<string, string> }
  | { kind: 'exited'; status: number; pid?: string }
  | { kind: 'terminated'; signal: number; pid?: string };

export function parseStopReply(payload: string): StopReply | null {
  const type = payload[0];
  const code = parseInt(payload.slice(1, 3), 16);
  if (Number.isNaN(code)) return null;
  if (type === 'S') return { kind: 'signal', signal: code, info: new Map() };
  if (type === 'T') {
    const info = new Map<string, string>();
    for (const part of payload.slice(3).split(';')) {
      const i = part.indexOf(':');
      if (i > 0) info.set(part.slice(0, i), part.slice(i + 1));
    }
    const thread = info.get('thread');
    return thread === undefined ? { kind: 'signal', signal: code, info } : { kind: 'signal', signal: code, thread, info };
  }
  const pid = /;process:([0-9a-fA-F]+)/.exec(payload)?.[1];
  if (type === 'W') return pid === undefined ? { kind: 'exited', status: code } : { kind: 'exited', status: code, pid };
  if (type === 'X') return pid === undefined ? { kind: 'terminated', signal: code } : { kind: 'terminated', signal: code, pid };
  return null;
}

/**
 * A thread id as `Hg`/`vCont` want it back. With multiprocess ids (`p1.2`) the stub wants
 * the same form; plain ids stay plain.
 */
export function threadNumber(id: string): number {
  const m = /^(?:p[0-9a-fA-F]+\.)?([0-9a-fA-F]+)$/.exec(id);
  return m ? parseInt(m[1]!, 16) : -1;
}
