// @ts-check
import { builtinModules } from 'node:module';
import js from '@eslint/js';
import globals from 'globals';
import { defineConfig } from 'eslint/config';
import tseslint from 'typescript-eslint';
import { createNodeResolver, importX } from 'eslint-plugin-import-x';
import reactHooks from 'eslint-plugin-react-hooks';

/**
 * Layer rules from shared/DESIGN.md. Imports are relative, so a pattern matches
 * `../`-chains that land in a forbidden top-level folder (or main/<sub>).
 */
const relative = (/** @type {string[]} */ folders) => `^(\\.\\./)+(${folders.join('|')})(/|$)`;
const nodeBuiltins = `^(node:.*|${builtinModules.join('|')})(/.*)?$`;

/** @param {string} regex @param {string} message @param {boolean} [allowTypeImports] */
const ban = (regex, message, allowTypeImports = false) => ({
  regex,
  message,
  ...(allowTypeImports ? { allowTypeImports } : {}),
});

const noElectron = ban('^electron(/|$)', 'Only main/electron and preload may import electron.');
const noReact = ban('^react(-dom)?(/|$)', 'React belongs to renderer/ only.');
const noNode = ban(nodeBuiltins, 'Node built-ins are not available here.');
const noTests = ban(relative(['tests', 'bench']), 'Product code must not import tests or bench.');

/** @type {Record<string, ReturnType<typeof ban>[]>} */
const layers = {
  'common/**': [
    noElectron,
    noReact,
    noNode,
    noTests,
    ban(
      relative(['main', 'preload', 'renderer', 'gateway']),
      'common/ imports nothing of ours outside common/.',
    ),
  ],
  // Code shared by the node and the gateway that needs Node (never bundled for the renderer).
  'common/node/**': [
    noElectron,
    noReact,
    noTests,
    ban(
      relative(['main', 'preload', 'renderer', 'gateway']),
      'common/ imports nothing of ours outside common/.',
    ),
  ],
  'main/engine/**': [
    noElectron,
    noReact,
    noTests,
    ban(
      relative(['renderer', 'preload', 'gateway', '(main/)?electron']),
      'main/engine imports only common/.',
    ),
  ],
  'gateway/**': [
    noElectron,
    noReact,
    noTests,
    ban(relative(['main', 'renderer', 'preload']), 'gateway/ imports only common/.'),
  ],
  'main/electron/**': [
    noReact,
    noTests,
    ban(
      relative(['renderer', 'preload', 'gateway']),
      'main/electron imports only common/ and main/engine.',
    ),
  ],
  'preload/**': [
    noReact,
    noTests,
    ban(nodeBuiltins, 'The sandboxed preload can only require electron.'),
    ban(relative(['main', 'renderer', 'gateway']), 'preload/ imports only common/.'),
  ],
  'renderer/**': [
    noElectron,
    noNode,
    noTests,
    ban(
      relative(['main', 'preload', 'gateway']),
      'renderer/ talks to the engine via NodeApi only.',
    ),
    ban(relative(['common']), 'renderer/ may import only types from common/ (import type).', true),
  ],
};

export default defineConfig(
  { ignores: ['out/', 'dist/', 'node_modules/', 'coverage/', '.cache/', 'test-results/'] },
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    languageOptions: { ecmaVersion: 2023, sourceType: 'module', globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_' },
      ],
    },
  },
  { files: ['renderer/**'], languageOptions: { globals: { ...globals.browser } } },
  {
    // DESIGN.md: no import cycles. Imports name `.js`; the sources are `.ts`/`.tsx`.
    files: ['common/**', 'main/**', 'preload/**', 'renderer/**', 'gateway/**', 'demo/**'],
    plugins: { 'import-x': importX },
    settings: {
      'import-x/extensions': ['.ts', '.tsx', '.js', '.mjs'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts', '.tsx'] },
      'import-x/resolver-next': [
        createNodeResolver({ extensionAlias: { '.js': ['.ts', '.tsx', '.js'] } }),
      ],
    },
    rules: { 'import-x/no-cycle': ['error', { ignoreExternal: true }] },
  },
  {
    files: ['renderer/**/*.tsx', 'renderer/**/*.ts'],
    plugins: { 'react-hooks': reactHooks },
    rules: {
      'react-hooks/rules-of-hooks': 'error',
      'react-hooks/exhaustive-deps': 'warn',
    },
  },
  {
    // DESIGN.md: small files. A warning, so that a long file is seen, not refused.
    files: ['**/*.ts', '**/*.tsx'],
    ignores: ['tests/**', 'bench/**'],
    rules: { 'max-lines': ['warn', { max: 300, skipBlankLines: true, skipComments: true }] },
  },
  ...Object.entries(layers).map(([glob, patterns]) => ({
    files: [glob],
    rules: {
      'no-restricted-imports': 'off',
      '@typescript-eslint/no-restricted-imports': ['error', { patterns }],
    },
  })),
);
