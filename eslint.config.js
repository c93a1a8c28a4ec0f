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

/** Modules of actions/ that web/ and client/ may import as values: pure, and importing nothing but each other. */
const SHARED_VALUES = ['actions/lib/types', 'actions/lib/url', 'actions/lib/hashtag-rule'];

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
  // The wire shapes with their parsers, URL parsing and the hashtag rule are the server's and are used by the page
  // and the CLI too: one parser per shape, one limit, one set of words. (They import nothing else: below.)
  ...layer(['web', 'client'], ['local', 'cli', 'bench', 'test', 'scripts', 'build'], ['actions'], [...SHARED_VALUES]),
  ...layer(['cli', 'bench', 'test', 'build'], ['scripts']),
  {
    // Last, so that it overrides the actions/ layer for these files: what the page bundles stays dependency-free.
    files: SHARED_VALUES.map((m) => `${m}.ts`),
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        { patterns: [{ regex: `^(?!\\./(${SHARED_VALUES.map((m) => m.split('/').pop()).join('|')})$)`, message: `${SHARED_VALUES.join(', ')} may import only each other: the page and the CLI import them as values` }] },
      ],
    },
  },
  {
    // Fixture actions are plain CommonJS, as users deploy them.
    files: ['test/fixtures/**/*.js'],
    languageOptions: { sourceType: 'commonjs', globals: { exports: 'writable', module: 'writable', require: 'readonly', setTimeout: 'readonly' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
