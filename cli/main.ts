import { setBackendReporter } from '../actions/lib/face/backend';
import { formatHelp, parseCommandArgs, UsageError, type CommandSpec, type ParsedArgs } from './usage';

/** A subcommand: its spec is loaded eagerly (for --help), its code lazily (so `--help` never loads TensorFlow). */
interface Command {
  spec: CommandSpec;
  load: () => Promise<{ run: (args: ParsedArgs) => Promise<number> }>;
}

const commands: Command[] = [
  { spec: (await import('./commands/start.spec')).spec, load: () => import('./commands/start') },
  { spec: (await import('./commands/match.spec')).spec, load: () => import('./commands/match') },
  { spec: (await import('./commands/search.spec')).spec, load: () => import('./commands/search') },
  { spec: (await import('./commands/bench.spec')).spec, load: () => import('./commands/bench') },
];

export function topLevelHelp(): string {
  const width = Math.max(...commands.map((c) => c.spec.name.length)) + 2;
  return [
    'findme: find the photos you appear in among the photos posted under a hashtag.',
    '',
    'Usage: findme <command> [options]',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.spec.name.padEnd(width)}${c.spec.summary}`),
    '',
    'Run `findme <command> --help` for the options of a command.',
  ].join('\n');
}

/** Runs the CLI and returns the exit code: 0 ok, 1 the work failed, 2 a usage error. */
export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(topLevelHelp() + '\n');
    return name === undefined ? 2 : 0;
  }
  const command = commands.find((c) => c.spec.name === name);
  try {
    if (!command) {
      throw new UsageError(`unknown command "${name}"; the commands are ${commands.map((c) => c.spec.name).join(', ')}`);
    }
    const args = parseCommandArgs(command.spec, rest);
    if (args.values.help === true) {
      process.stdout.write(formatHelp(command.spec) + '\n');
      return 0;
    }
    // The backend note is for operators and bench runs; `--verbose` asks for it.
    if (args.values.verbose !== true) setBackendReporter(() => undefined);
    const module = await command.load();
    return await module.run(args);
  } catch (error) {
    if (error instanceof UsageError) {
      const hint = error.command ? `findme ${error.command} --help` : 'findme --help';
      process.stderr.write(`findme: ${error.message}\nSee \`${hint}\`.\n`);
      return 2;
    }
    process.stderr.write(`findme: ${error instanceof Error ? error.message : String(error)}\n`);
    if (process.env.FINDME_DEBUG && error instanceof Error && error.stack) process.stderr.write(error.stack + '\n');
    return 1;
  }
}
