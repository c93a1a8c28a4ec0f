/**
 * `npm run setup` installs the Debian packages findme needs to run (redis-server); `npm run setup:test` adds
 * what the tests need (chromium). As root it runs apt-get; otherwise it prints the exact line to run.
 * Already-installed packages are skipped, so it is quick to run every time.
 */
import { spawnSync } from 'node:child_process';

const RUN = [{ pkg: 'redis-server', binary: 'redis-server' }];
const TEST = [...RUN, { pkg: 'chromium', binary: 'chromium' }];

function has(binary: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${binary}`], { stdio: 'ignore' }).status === 0;
}

function apt(args: string[]): void {
  const result = spawnSync('apt-get', args, { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  if (result.status !== 0) throw new Error(`apt-get ${args.join(' ')} failed with code ${result.status ?? result.signal}`);
}

function main(): number {
  const wanted = process.argv.includes('--test') ? TEST : RUN;
  const missing = wanted.filter((w) => !has(w.binary)).map((w) => w.pkg);
  if (missing.length === 0) {
    console.log(`setup: ${wanted.map((w) => w.pkg).join(', ')} already installed`);
    return 0;
  }
  const line = `apt-get update && apt-get install -y --no-install-recommends ${missing.join(' ')}`;
  if (process.getuid?.() !== 0) {
    console.error(`setup: missing Debian packages: ${missing.join(', ')}. Install them with:\n  sudo sh -c '${line}'`);
    return 1;
  }
  console.log(`setup: installing ${missing.join(', ')}`);
  apt(['update', '-qq']);
  apt(['install', '-y', '-qq', '--no-install-recommends', ...missing]);
  return 0;
}

process.exitCode = main();
