import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';

const root = join(import.meta.dirname, '..');

function findme(...args: string[]) {
  return spawnSync(process.execPath, [join(root, 'bin', 'findme.js'), ...args], { encoding: 'utf8', cwd: root });
}

test('npx findme reaches the package bin after npm ci', () => {
  const help = spawnSync('npx', ['--no-install', 'findme', '--help'], { encoding: 'utf8', cwd: root });
  assert.equal(help.status, 0, help.stderr);
  assert.match(help.stdout, /Commands:/);
  const wrong = spawnSync('npx', ['--no-install', 'findme', 'nonsense'], { encoding: 'utf8', cwd: root });
  assert.equal(wrong.status, 2);
  assert.match(wrong.stderr, /unknown command "nonsense"/);
});

test('findme --help lists every subcommand', () => {
  const result = findme('--help');
  assert.equal(result.status, 0, result.stderr);
  for (const name of ['start', 'match', 'search', 'bench']) assert.match(result.stdout, new RegExp(`^  ${name} `, 'm'));
});

test('each subcommand explains itself with --help', () => {
  for (const name of ['start', 'match', 'search', 'bench']) {
    const result = findme(name, '--help');
    assert.equal(result.status, 0, `${name}: ${result.stderr}`);
    assert.match(result.stdout, new RegExp(`^findme ${name}: \\w`));
    assert.match(result.stdout, /Usage:/);
  }
});

test('an unknown subcommand exits 2 and names it', () => {
  const result = findme('nonsense');
  assert.equal(result.status, 2);
  assert.match(result.stderr, /unknown command "nonsense"/);
});

test('a bad flag exits 2 and names it', () => {
  const result = findme('match', '--no-such-flag');
  assert.equal(result.status, 2);
  assert.match(result.stderr, /--no-such-flag/);
  assert.match(result.stderr, /findme match --help/);
});

test('no subcommand prints the help and exits 2', () => {
  const result = findme();
  assert.equal(result.status, 2);
  assert.match(result.stdout, /Commands:/);
});
