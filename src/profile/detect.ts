/**
 * Profile detection with nothing given: the architecture from the stub's target description
 * (MIPS sends none: its register count tells), then the profiles made for it. The OS is
 * settled later by what the symbol source finds (a Linux kallsyms table).
 */
import { GdbClient } from '../gdbstub/client.js';
import { UserError } from '../util/errors.js';
import { availableProfiles, loadProfile } from './profile.js';

/** target.xml `<architecture>` (gdb's BFD names) -> the `arch` of our profiles. */
const ARCHES: Record<string, string> = {
  'i386:x86-64': 'x86_64',
  i386: 'i386',
  'i386:intel': 'i386',
  arm: 'arm',
  aarch64: 'arm64',
};

/**
 * The profiles made for `arch`. Linux ones first: a Windows guest has no kernel table to find
 * and is traced only with its profile named (--profile windows_*), so Windows profiles count
 * only where no Linux one fits.
 */
export function profilesFor(arch: string): string[] {
  const fit = availableProfiles().flatMap((p) => {
    try {
      const prof = loadProfile(p);
      return prof.arch === arch ? [{ name: p, os: prof.os }] : [];
    } catch {
      return [];
    }
  });
  const linux = fit.filter((p) => p.os === 'linux');
  return (linux.length ? linux : fit).map((p) => p.name);
}

/** Asks the stub what it is and picks the one profile made for it; more or none is an error. */
export async function detectProfile(target: string, timeoutMs: number): Promise<{ profile: string; why: string }> {
  const client = await GdbClient.connect(target, { timeoutMs });
  try {
    await client.qSupported();
    const regs = await client.readTargetDescription();
    let arch: string | undefined;
    let seen: string;
    if (regs) {
      seen = regs.architecture ?? '(none given)';
      arch = regs.architecture ? ARCHES[regs.architecture] : undefined;
    } else {
      const g = await client.readAllRegisters();
      seen = `no target description, ${g.length} bytes of registers`;
      arch = g.length === 73 * 4 ? 'mips' : undefined; // QEMU's fixed 73-register MIPS layout
    }
    if (!arch) throw new UserError('PROFILE_UNKNOWN', `cannot tell the guest's architecture (${seen}); give --profile (available: ${availableProfiles().join(', ')})`);
    const candidates = profilesFor(arch);
    if (candidates.length === 0) throw new UserError('PROFILE_UNKNOWN', `no profile for ${arch} guests yet (the stub says ${seen}); available: ${availableProfiles().join(', ')}`);
    if (candidates.length > 1) throw new UserError('PROFILE_UNKNOWN', `several profiles fit a ${arch} guest: ${candidates.join(', ')}; choose one with --profile`);
    return { profile: candidates[0]!, why: `the stub describes a ${seen} target` };
  } finally {
    // Closing without `D` leaves the guest as it is (stopped); the trace reconnects at once.
    client.close();
  }
}
