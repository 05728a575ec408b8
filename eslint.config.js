// @ts-check
const js = require('@eslint/js');
const tseslint = require('typescript-eslint');
const layers = require('./eslint-rules/layers');

/**
 * The layers of the codebase, lowest first (docs/architecture.md, "Layers"): a folder may import
 * its own files, the folders in `allow`, and the emulators in `entry` only through their index.
 */
const LAYERS = [
  { folder: 'lib' },
  { folder: 'sigv4' },
  { folder: 'openapi' },
  { folder: 'mappings', allow: ['openapi'] },
  { folder: 'gateway/backends/s3', allow: ['lib', 'sigv4'] },
  { folder: 'gateway/backends/lambda', allow: ['lib', 'sigv4'] },
  {
    folder: 'gateway',
    allow: ['lib', 'sigv4', 'openapi', 'mappings'],
    entry: ['gateway/backends/s3', 'gateway/backends/lambda'],
  },
];

module.exports = tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'coverage/', '.apigw/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        require: 'readonly',
        module: 'writable',
        exports: 'writable',
        Buffer: 'readonly',
        process: 'readonly',
        __dirname: 'readonly',
        console: 'readonly',
      },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-require-imports': 'off',
    },
  },
  {
    files: ['**/*.ts'],
    plugins: { apigw: { rules: { layers } } },
    rules: { 'apigw/layers': ['error', { root: __dirname, layers: LAYERS }] },
  },
);
