/**
 * The pipeline's own commands: `systrace validate FILE...` (configs and rules checked
 * without a guest; `--needs` prints the calls they need) and `systrace replay TRACE.jsonl`
 * (a recorded trace through the pipeline, offline). Registered on the CLI by src/cli/main.ts.
 */
import type { Command } from 'commander';
import { loadPrototypes } from '../decode/prototypes.js';
import { loadProfile } from '../profile/profile.js';
import { buildPipeline } from './loader.js';
import { formatNeeds, neededSyscalls } from './needs.js';
import { replayTrace, traceProfile } from './replay.js';

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function load(profileName: string) {
  const profile = loadProfile(profileName);
  return { profile, table: loadPrototypes(profile.prototypes, profile.wordSize, profile.names) };
}

/** Exit status of `validate`: 0, or 2 through the ConfigError it throws. */
export async function validateCommand(files: string[], f: { profile: string; needs?: boolean; json?: boolean }): Promise<number> {
  const { profile, table } = load(f.profile);
  const built = await buildPipeline({ profile, table, configs: files, json: f.json === true, prefix: true, live: false, dryRun: true });
  const enabled = built.rules.filter((r) => r.enabled).length;
  const names = built.pipeline.plugins.map((p) => p.name).join(', ');
  process.stdout.write(`${files.join(', ')}: ok: plugins ${names || '(none)'}; ${built.rules.length} rules (${enabled} enabled)\n`);
  if (f.needs) process.stdout.write(`needs: ${formatNeeds(neededSyscalls(built.pipeline.plugins))}\n`);
  return 0;
}

interface ReplayFlags {
  config: string[];
  profile?: string;
  output?: string;
  json?: boolean;
  prefix: boolean;
  quiet?: boolean;
}

/** Exit status of `replay`: 0, 1 when the run failed (as live), 2 for bad input. */
export async function replayCommand(trace: string, f: ReplayFlags): Promise<number> {
  const { profile, table } = load(f.profile ?? (await traceProfile(trace)) ?? 'linux_x64');
  const built = await buildPipeline({
    profile,
    table,
    configs: f.config,
    ...(f.output !== undefined ? { output: f.output } : {}),
    json: f.json === true,
    prefix: f.prefix,
    quiet: f.quiet === true,
    live: false,
  });
  await built.pipeline.start();
  let res: Awaited<ReturnType<typeof replayTrace>>;
  try {
    res = await replayTrace(trace, built.pipeline);
  } finally {
    await built.pipeline.end();
    await built.outputs.end();
  }
  if (!f.quiet) process.stderr.write(`systrace: replayed ${res.events} events${res.stopped ? `; stopped: ${built.state.stopReason}` : ''}\n`);
  for (const r of built.state.failures) process.stderr.write(`systrace: the run failed: ${r}\n`);
  return built.state.failures.length > 0 ? 1 : 0;
}

/** Adds `validate` and `replay` to `program`; `setResult` receives each command's exit status. */
export function pipelineCommands(program: Command, setResult: (r: Promise<number>) => void): void {
  program
    .command('validate')
    .description('check pipeline configs and rules files without a guest (exit 2 on any error)')
    .option('--profile <name>', 'profile the names are checked against', 'linux_x64')
    .option('--needs', 'print the syscalls the enabled plugins and rules need (or all)')
    .option('--json', 'as the trace commands: the default output is jsonl')
    .argument('<file...>', 'config or rules files, in the order --config would take them')
    .action((files: string[], f: { profile: string; needs?: boolean; json?: boolean }) => setResult(validateCommand(files, f)));
  program
    .command('replay')
    .description('run a recorded JSONL trace (--json) through a pipeline, offline')
    .argument('<trace>', 'the JSONL trace')
    .option('--config <file>', 'pipeline config or rules file; repeat for more', collect, [])
    .option('--profile <name>', "profile (default: the trace's own)")
    .option('-o, --output <file>', 'write output plugins to FILE instead of stderr')
    .option('--json', 'the default output is jsonl')
    .option('--no-prefix', 'leave out the [cpuN asid] prefix')
    .option('-q, --quiet', 'no progress messages')
    .action((trace: string, f: ReplayFlags) => setResult(replayCommand(trace, f)));
}
