import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { ConfigError } from '../../actions/lib/errors';
import { startLocal, type Running } from '../../local/start';
import { intFlag, type ParsedArgs } from '../usage';

/**
 * `findme start`: runs everything (local/start.ts) until SIGINT or SIGTERM, then stops it all. A signal during
 * start-up is honoured once start-up has finished, so nothing it started is left running; a second signal
 * exits at once (children.ts still kills every child process on exit).
 */
/** --data-dir, else findme/ in the user's cache folder (XDG), so jobs outlive a restart of `findme start`. */
function dataDir(args: ParsedArgs): string {
  const given = args.values['data-dir'];
  if (typeof given === 'string' && given.trim() !== '') return resolve(given);
  const cache = process.env.XDG_CACHE_HOME?.trim() || join(homedir(), '.cache');
  return join(cache, 'findme', 'redis');
}

export async function run(args: ParsedArgs): Promise<number> {
  const port = intFlag(args, 'port', 8080, 0, 65535);
  let signalled: string | undefined;
  let wake = () => {};
  const onSignal = (signal: NodeJS.Signals) => {
    if (signalled) process.exit(130);
    signalled = signal;
    console.log(`\n${signal}: stopping findme… (again to force)`);
    wake();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    let running: Running;
    try {
      running = await startLocal({ projectRoot: join(import.meta.dirname, '..', '..'), port, dataDir: dataDir(args), verbose: args.values.verbose === true });
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      // A setting is wrong, like a wrong flag: exit 2, naming it.
      process.stderr.write(`findme: ${error.message}. Fix or unset ${error.variable}, then start again.
`);
      return 2;
    }
    if (!signalled) await new Promise<void>((resolve) => (wake = resolve));
    await running.close();
    return 0;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
