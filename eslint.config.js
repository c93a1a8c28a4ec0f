// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/**
 * Lint blocks forbidding the top-level `forbidden` folders to the files of the top-level `folders`; `typesOnly`
 * folders may still be imported with `import type`. One block per depth, so that the pattern matches only a
 * relative import that climbs exactly to the project root (`actions/lib/auth` may import `../web/request`, its
 * own `actions/lib/web`, but not `../../../web/src/…`). `values` are modules (paths from the root, no extension)
 * of the `typesOnly` folders that may be imported as values all the same: dependency-free rules shared on purpose.
 * @param {string[]} folders
 * @param {string[]} forbidden
 * @param {string[]} [typesOnly]
 * @param {string[]} [values]
 */
function layer(folders, forbidden, typesOnly = [], values = []) {
  return [1, 2, 3, 4, 5].map((depth) => {
    const up = '\\.\\./'.repeat(depth);
    const pattern = (/** @type {string[]} */ names) => `^${up}(${names.join('|')})(/|$)`;
    const patterns = [{ regex: pattern(forbidden), message: `${folders.join('/, ')}/ may not import from ${forbidden.join(', ')} (layers: README.md)` }];
    const except = values.length > 0 ? `(?!(${values.join('|')})$)` : '';
    if (typesOnly.length > 0) patterns.push({ regex: `^${up}${except}(${typesOnly.join('|')})(/|$)`, message: `${folders.join('/, ')}/ may import only types from ${typesOnly.join(', ')}`, allowTypeImports: true });
    return { files: folders.map((f) => `${f}/${'*/'.repeat(depth - 1)}*.ts`), rules: { '@typescript-eslint/no-restricted-imports': ['error', { patterns }] } };
  });
}

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', '.serverless/', 'weights/', 'test/output/', 'bench/results/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: { console: 'readonly', process: 'readonly', URL: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly' },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': 'off',
      eqeqeq: ['error', 'smart'],
    },
  },
  {
    // Type-aware: promises the code drops or passes where a callback's result is ignored.
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      // node:test's test()/describe() return promises the runner itself awaits.
      '@typescript-eslint/no-floating-promises': ['error', { allowForKnownSafeCalls: [{ from: 'package', package: 'node:test', name: ['test', 'it', 'describe', 'suite'] }] }],
      '@typescript-eslint/no-misused-promises': 'error',
    },
  },
  // Layers: who may import whom.
  ...layer(['actions'], ['local', 'cli', 'web', 'client', 'bench', 'test', 'scripts', 'build']),
  ...layer(['local'], ['test', 'cli', 'bench', 'scripts']),
  // The hashtag rule is the server's and is checked by the page and the CLI too: one limit, one set of words.
  ...layer(['web', 'client'], ['local', 'cli', 'bench', 'test', 'scripts', 'build'], ['actions'], ['actions/lib/hashtag-rule']),
  ...layer(['cli', 'bench', 'test', 'build'], ['scripts']),
  {
    // Fixture actions are plain CommonJS, as users deploy them.
    files: ['test/fixtures/**/*.js'],
    languageOptions: { sourceType: 'commonjs', globals: { exports: 'writable', module: 'writable', require: 'readonly', setTimeout: 'readonly' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
