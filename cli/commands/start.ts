import { join } from 'node:path';
import { startLocal } from '../../local/start';
import { intFlag, type ParsedArgs } from '../usage';

export async function run(args: ParsedArgs): Promise<number> {
  const port = intFlag(args, 'port', 8080, 0, 65535);
  const running = await startLocal({ projectRoot: join(import.meta.dirname, '..', '..'), port, verbose: args.values.verbose === true });
  await new Promise<void>((resolve) => {
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) return;
      stopping = true;
      console.log(`\n${signal}: stopping findme…`);
      running.close().then(resolve, resolve);
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
  });
  return 0;
}
