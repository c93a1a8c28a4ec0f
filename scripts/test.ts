/**
 * `npm test`: builds what the tests run (weights, action bundles, page), then runs every `test/**\/*.test.ts`
 * with Node's test runner. Arguments narrow the run: `npm test -- platform` runs files whose path contains
 * "platform".
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { build } from '../build/build';
import { PROJECT_ROOT } from '../build/weights';

function findTests(dir: string): string[] {
  const found: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (name === 'node_modules' || name === 'output') continue;
    if (statSync(path).isDirectory()) found.push(...findTests(path));
    else if (name.endsWith('.test.ts')) found.push(path);
  }
  return found.sort();
}

/**
 * Files that take 40 s or more (a clone's full run, 2026-12-07 08:00, three at a time), started first: a long
 * file that starts last leaves a core idle until it ends. The rest follow in name order.
 */
const SLOW_FIRST = [
  'test/compare-memory.test.ts',
  'test/bench.test.ts',
  'test/cli-search.test.ts',
  'test/compare-images.test.ts',
  'test/references.test.ts',
  'test/pipeline-search.test.ts',
  'test/browser/references.test.ts',
  'test/pipeline-resilience.test.ts',
  'test/start.test.ts',
  'test/face-match-cli.test.ts',
];

function slowFirst(files: string[]): string[] {
  const rank = (f: string) => (SLOW_FIRST.includes(f) ? SLOW_FIRST.indexOf(f) : SLOW_FIRST.length);
  return [...files].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}

/**
 * Files at a time, on the 2 cores this is run on: many files spend much of their time waiting (throttle windows,
 * restarts, timers, the browser), so a third keeps the cores busy. A clone's full run, 2026-12-07, 2× AMD EPYC:
 * 624 s with 2, 575 s with 3, all passing; 459 s with 3 once builds were skipped when up to date and the suite's
 * largest CPU costs cut (the demo stage photos, a 40 Mpx CMYK conversion, a second embedded search), 2026-12-07 08:00.
 */
const CONCURRENCY = 3;

await build();
const filters = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const flags = process.argv.slice(2).filter((a) => a.startsWith('-'));
const files = slowFirst(
  findTests(join(PROJECT_ROOT, 'test'))
    .map((f) => relative(PROJECT_ROOT, f))
    .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x))),
);
if (files.length === 0) {
  console.error(`no test files match ${filters.join(', ')}`);
  process.exit(1);
}
const result = spawnSync(
  process.execPath,
  ['--import', './bin/register.mjs', '--test', `--test-concurrency=${CONCURRENCY}`, '--test-timeout=300000', ...flags, ...files],
  { stdio: 'inherit', cwd: PROJECT_ROOT },
);
process.exit(result.status ?? 1);
