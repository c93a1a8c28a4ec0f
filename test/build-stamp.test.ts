/**
 * The build's up-to-date check: `findme start` and the test runner skip a build when dist/ was built from the very
 * same inputs, so the hash over them must change with any edit, added, removed or renamed input, and with
 * nothing else.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { buildInputsHash } from '../build/build';

test('the build inputs hash changes with every input and only with inputs', () => {
  const root = mkdtempSync(join(tmpdir(), 'findme-stamp-'));
  after(() => rmSync(root, { recursive: true, force: true }));
  const write = (path: string, text: string) => {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), text);
  };
  write('actions/a.ts', 'export const a = 1;\n');
  write('actions/lib/b.ts', 'export const b = 2;\n');
  write('web/src/main.ts', 'console.log(1);\n');
  write('package-lock.json', '{}\n');
  const seen = new Set<string>();
  const step = (what: string, change: () => void, same = false) => {
    const before = buildInputsHash(root);
    change();
    const after = buildInputsHash(root);
    if (same) assert.equal(after, before, what);
    else {
      assert.notEqual(after, before, what);
      assert.ok(!seen.has(after), `${what}: a hash not seen before`);
    }
    seen.add(after);
  };
  seen.add(buildInputsHash(root));
  step('an edit', () => write('actions/lib/b.ts', 'export const b = 3;\n'));
  step('a new file', () => write('local/runtime/main.ts', 'export {};\n'));
  step('a rename', () => renameSync(join(root, 'actions/a.ts'), join(root, 'actions/c.ts')));
  step('the lock file', () => write('package-lock.json', '{"lockfileVersion":3}\n'));
  step('a removed file', () => rmSync(join(root, 'web/src/main.ts')));
  step('node_modules is not an input', () => write('web/node_modules/x/index.js', '1'), true);
  step('nor is a folder outside the inputs', () => write('test/x.test.ts', '1'), true);
});
