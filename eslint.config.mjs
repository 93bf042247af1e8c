import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'nodes/**', '.node-red-user/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
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
    // src/zoho is the client library: it must never depend on Node-RED.
    files: ['src/zoho/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: ['node-red', '@node-red/*', '../nodes/*', 'node-red-node-test-helper'] },
      ],
    },
  },
  {
    // Nodes are thin adapters: HTTP belongs to src/zoho.
    files: ['src/nodes/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { paths: ['axios', 'http', 'https', 'node:http', 'node:https', 'simple-oauth2'] },
      ],
    },
  },
);
