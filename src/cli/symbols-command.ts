/**
 * `systrace symbols`: writes the kernel's symbols in System.map form, for reuse (--symbols)
 * and for other tools: from a running guest (`--gdb`, its own kallsyms tables in memory,
 * KASLR applied) or offline from a kernel image (`--from-image vmlinuz`, link-time addresses).
 */
import { writeFileSync } from 'node:fs';
import { GdbClient } from '../gdbstub/client.js';
import { RspError } from '../gdbstub/errors.js';
import { loadProfile } from '../profile/profile.js';
import { detectProfile } from '../profile/detect.js';
import { symbolsFromImage } from '../symbols/kernel-image.js';
import { MemorySymbolSource, defaultCacheDir } from '../symbols/kallsyms-memory.js';
import type { SymbolTable } from '../symbols/system-map.js';
import { UserError } from '../util/errors.js';

export interface SymbolsFlags {
  gdb?: string;
  fromImage?: string;
  output?: string;
  profile?: string;
  timeout: number;
  bootTimeout: number;
  cache: boolean;
}

function write(table: SymbolTable, output: string | undefined): void {
  const text = table
    .entries()
    .map((s) => `${s.addr.toString(16).padStart(16, '0')} ${s.type} ${s.name}`)
    .join('\n') + '\n';
  if (output && output !== '-') writeFileSync(output, text);
  else process.stdout.write(text);
}

export async function symbolsCommand(f: SymbolsFlags): Promise<number> {
  if ((f.gdb === undefined) === (f.fromImage === undefined)) throw new UserError('USAGE', "symbols: give either --gdb TARGET or --from-image VMLINUZ");
  const say = (m: string): void => void process.stderr.write(`systrace: ${m}\n`);
  if (f.fromImage) {
    const table = await symbolsFromImage(f.fromImage);
    write(table, f.output);
    say(`${table.size} symbols from ${f.fromImage} (link-time addresses)${f.output ? ` written to ${f.output}` : ''}`);
    return 0;
  }
  const target = f.gdb!;
  try {
    let profileName = f.profile;
    if (!profileName) {
      const d = await detectProfile(target, f.timeout);
      profileName = d.profile;
      say(`profile ${d.profile} (${d.why})`);
    }
    const profile = loadProfile(profileName);
    const client = await GdbClient.connect(target, { timeoutMs: f.timeout });
    await client.qSupported();
    await client.readTargetDescription();
    await client.haltReason();
    const source = new MemorySymbolSource(f.cache ? defaultCacheDir() : null);
    const deadline = Date.now() + f.bootTimeout;
    const table = await source.resolve({
      client,
      profile,
      info: say,
      untilReady: async (probe, what) => {
        for (;;) {
          const r = await probe();
          if (!(typeof r === 'object' && r !== null && 'reason' in r)) return r as never;
          if (Date.now() > deadline) throw new UserError('SYMBOL_MISSING', `could not ${what}: ${(r as { reason: string }).reason}`);
          await client.continue();
          await new Promise((res) => setTimeout(res, 100));
          client.interrupt();
          await client.waitStop();
        }
      },
    });
    write(table, f.output);
    await client.detach(); // the guest runs on
    client.close();
    say(`${table.size} symbols of the running kernel${f.output ? ` written to ${f.output}` : ''}`);
    return 0;
  } catch (e) {
    if (e instanceof RspError) throw new UserError('STUB_UNREACHABLE', e.message, { cause: e });
    throw e;
  }
}
