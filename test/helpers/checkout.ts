/**
 * A fresh checkout for deploy tests: this working tree's files as `git clone` plus uncommitted work would give
 * them (no dist/, no weights, no .serverless/), node_modules linked rather than reinstalled, an empty HOME (no
 * ~/.wskprops, no serverless config) and npm scripts run with nothing of this process's environment but PATH.
 * Every Node process they start is watched by test/fixtures/deploy/net-guard.mjs.
 */
import { execFileSync, spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after } from 'node:test';
import { PROJECT_ROOT } from './platform';

export interface RunResult {
  code: number | null;
  /** stdout and stderr interleaved as they came. */
  output: string;
}

export interface Checkout {
  dir: string;
  /** `npm run <script> [-- args]` in the checkout with exactly `env` (plus PATH, HOME and the guard). */
  npmRun(script: string, args: string[], env: Record<string, string>): Promise<RunResult>;
  /** Connections the guard refused since the checkout was made, one line each. */
  refusedConnections(): string[];
}

const GUARD = join(PROJECT_ROOT, 'test', 'fixtures', 'deploy', 'net-guard.mjs');

/** Tracked files and untracked ones not ignored, as they are in the working tree now. */
function workingTreeFiles(): string[] {
  const listed = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: PROJECT_ROOT, encoding: 'utf8' });
  return listed.split('\0').filter((f) => f !== '' && existsSync(join(PROJECT_ROOT, f)));
}

export function freshCheckout(): Checkout {
  const dir = mkdtempSync(join(tmpdir(), 'findme-checkout-'));
  const home = mkdtempSync(join(tmpdir(), 'findme-home-'));
  after(() => {
    rmSync(dir, { recursive: true, force: true });
    rmSync(home, { recursive: true, force: true });
  });
  for (const file of workingTreeFiles()) {
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    copyFileSync(join(PROJECT_ROOT, file), join(dir, file));
  }
  symlinkSync(join(PROJECT_ROOT, 'node_modules'), join(dir, 'node_modules'));
  const guardLog = join(home, 'refused-connections.log');

  function npmRun(script: string, args: string[], env: Record<string, string>): Promise<RunResult> {
    const childEnv = {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: home,
      // npm's own once-a-week update check is npm's business, not the project's; the guard watches the rest.
      npm_config_update_notifier: 'false',
      NODE_OPTIONS: `--import ${pathToFileURL(GUARD).href}`,
      NET_GUARD_LOG: guardLog,
      ...env,
    };
    const argv = ['run', '--silent', script, ...(args.length > 0 ? ['--', ...args] : [])];
    return new Promise((resolve) => {
      const child = spawn('npm', argv, { cwd: dir, env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
      let output = '';
      child.stdout.on('data', (d: Buffer) => (output += d.toString()));
      child.stderr.on('data', (d: Buffer) => (output += d.toString()));
      child.once('close', (code) => resolve({ code, output }));
    });
  }

  return {
    dir,
    npmRun,
    refusedConnections: () => (existsSync(guardLog) ? readFileSync(guardLog, 'utf8').split('\n').filter(Boolean) : []),
  };
}
