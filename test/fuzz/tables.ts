/**
 * The real data files the fuzz tests start from: every prototype table with its word size
 * (from the profile that names it, else from the architecture in its name), the profiles
 * and the syscall names the profiles rename.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseProfile, type Profile } from '../../src/profile/profile.js';
import { dataDir } from '../../src/util/paths.js';

export interface TableFile {
  name: string;
  path: string;
  text: string;
  wordSize: 4 | 8;
  /** The profile's `names` renames when a profile uses this table. */
  renames: Record<string, string>;
}

export function profileFiles(): Array<{ path: string; text: string }> {
  const dir = join(dataDir(), 'profiles');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .map((f) => ({ path: join(dir, f), text: readFileSync(join(dir, f), 'utf8') }));
}

export function profiles(): Profile[] {
  return profileFiles().map((f) => parseProfile(f.text, f.path));
}

export function tableFiles(): TableFile[] {
  const dir = join(dataDir(), 'prototypes');
  const byTable = new Map(profiles().map((p) => [p.prototypes, p]));
  return readdirSync(dir)
    .filter((f) => f.endsWith('.txt'))
    .sort()
    .map((f) => {
      const p = byTable.get(f);
      const wordSize: 4 | 8 = p ? p.wordSize : /(x64|arm64|aarch64|x86_64|mips64)/.test(f) ? 8 : 4;
      return { name: f, path: join(dir, f), text: readFileSync(join(dir, f), 'utf8'), wordSize, renames: p?.names ?? {} };
    });
}
