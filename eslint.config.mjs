import js from '@eslint/js';
import { createNodeResolver, importX } from 'eslint-plugin-import-x';
import tseslint from 'typescript-eslint';

/** Imports a room may not make: each entry is one rule of the layout (docs/ARCHITECTURE.md). */
const NODE_RED = ['node-red', '@node-red/*', 'node-red-node-test-helper'];
const HTTP = ['axios', 'http', 'https', 'node:http', 'node:https'];
const restrict = (message, groups, paths = []) => [
  'error',
  { paths: paths.map((name) => ({ name, message })), patterns: [{ group: groups, message }] },
];

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'node_modules/**',
      'nodes/**',
      'resources/catalog.js',
      '.node-red-user/**',
      '.test-tmp/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    extends: [tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { 'import-x': importX },
    settings: {
      'import-x/resolver-next': [createNodeResolver({ extensions: ['.ts', '.js', '.json'] })],
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      // Only our own modules can form a cycle; skipping node_modules keeps the check fast.
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
    },
  },
  {
    // Files readable in one sitting: a node's index registers it and delegates (issue 11), and
    // no function of the client or the nodes runs past a screen (the emulator's data tables
    // and parsers are left as they are). A nested function counts in its parent too.
    files: ['src/zoho/**/*.ts', 'src/nodes/**/*.ts'],
    rules: {
      'max-lines-per-function': ['error', { max: 60, skipBlankLines: true, skipComments: true }],
    },
  },
  {
    files: ['src/nodes/*/index.ts'],
    rules: { 'max-lines': ['error', { max: 150, skipBlankLines: true, skipComments: true }] },
  },
  {
    // Tests read arbitrary JSON out of HTTP answers, flows and Zoho bodies and look into it:
    // typing every such body would add casts, not safety. The async rules stay on.
    files: ['test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },
  {
    // Hand-written editor code: plain browser script over Node-RED's editor globals.
    files: ['resources/**/*.js'],
    languageOptions: {
      sourceType: 'script',
      globals: { window: 'readonly', $: 'readonly', RED: 'readonly' },
    },
  },
  {
    files: ['scripts/**/*.js', 'bench/**/*.js'],
    languageOptions: {
      sourceType: 'commonjs',
      globals: {
        fetch: 'readonly',
        require: 'readonly',
        module: 'writable',
        process: 'readonly',
        __dirname: 'readonly',
        console: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
      },
    },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // src/zoho is the client library: no Node-RED, no node adapters, no emulator.
    files: ['src/zoho/**/*.ts'],
    rules: {
      'no-restricted-imports': restrict(
        'src/zoho is the client library: it must not depend on Node-RED, src/nodes or src/sandbox.',
        [...NODE_RED, '**/nodes/**', '**/sandbox/**'],
      ),
    },
  },
  {
    // Nodes are thin adapters: HTTP belongs to src/zoho, and the emulator is for tests.
    files: ['src/nodes/**/*.ts'],
    rules: {
      'no-restricted-imports': restrict(
        'src/nodes are adapters: HTTP goes through src/zoho, and src/sandbox is not for nodes.',
        ['**/sandbox/**'],
        HTTP,
      ),
    },
  },
  {
    // The sandbox models Zoho, not the pack: it must not lean on the node adapters.
    files: ['src/sandbox/**/*.ts'],
    rules: {
      'no-restricted-imports': restrict(
        'src/sandbox models Zoho: it must not import the node adapters in src/nodes.',
        ['**/nodes/**'],
      ),
    },
  },
);
