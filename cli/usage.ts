import { parseArgs, type ParseArgsConfig } from 'node:util';

/** A mistake in how the command was called: printed with a hint, exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
  constructor(message: string, readonly command?: string) {
    super(message);
  }
}

export type Options = NonNullable<ParseArgsConfig['options']>;

export interface CommandSpec {
  name: string;
  summary: string;
  /** Lines after "Usage:"; the first is the synopsis. */
  usage: string[];
  options: Options;
  /** Descriptions of the options, keyed as in `options`. */
  optionHelp: Record<string, string>;
  allowPositionals: boolean;
}

export interface ParsedArgs {
  values: Record<string, string | boolean | string[] | boolean[] | undefined>;
  positionals: string[];
}

/** Parses strictly: an unknown flag or a missing flag value is a UsageError naming it. */
export function parseCommandArgs(spec: CommandSpec, argv: string[]): ParsedArgs {
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      options: { ...spec.options, help: { type: 'boolean', short: 'h' } },
      allowPositionals: spec.allowPositionals,
      strict: true,
    });
    return { values, positionals };
  } catch (error) {
    const message = error instanceof Error ? error.message.replace(/\. To specify a positional.*$/s, '.') : String(error);
    throw new UsageError(message, spec.name);
  }
}

export function formatHelp(spec: CommandSpec): string {
  const lines = [`findme ${spec.name}: ${spec.summary}`, '', 'Usage:'];
  for (const line of spec.usage) lines.push(`  ${line}`);
  const names = Object.keys(spec.options);
  if (names.length > 0) {
    lines.push('', 'Options:');
    for (const name of names) {
      const option = spec.options[name];
      const short = option?.short ? `-${option.short}, ` : '    ';
      const value = option?.type === 'string' ? ` <${name === 'api' ? 'url' : 'value'}>` : '';
      lines.push(`  ${short}--${name}${value}`.padEnd(32) + (spec.optionHelp[name] ?? ''));
    }
  }
  lines.push('  -h, --help'.padEnd(32) + 'Show this help');
  return lines.join('\n');
}

/** Reads a numeric flag, failing with the flag's name when it is not a number in range. */
export function intFlag(args: ParsedArgs, name: string, fallback: number, min: number, max: number): number {
  const raw = args.values[name];
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (typeof raw !== 'string' || !Number.isInteger(value) || value < min || value > max) {
    throw new UsageError(`--${name} must be a whole number from ${min} to ${max}, got "${String(raw)}"`);
  }
  return value;
}
