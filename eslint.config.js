import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';
import basin from './tools/eslint/dependency-direction.js';

const SERVICE_SRC = ['platform/src/**/*.ts', 'sensors-sim/src/**/*.ts', 'ingest/src/**/*.ts', 'twin-engine/src/**/*.ts'];

export default tseslint.config(
  { ignores: ['**/node_modules/**', '**/dist/**', 'data/**', 'viewer/public/**', 'coverage/**', '.tmp/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { ecmaVersion: 2023, sourceType: 'module', globals: { ...globals.node } },
    plugins: { basin },
    rules: {
      'basin/dependency-direction': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    files: ['viewer/src/**/*.ts'],
    languageOptions: { globals: { ...globals.browser } },
  },
  {
    // Services log with pino; only config.ts reads the environment.
    files: SERVICE_SRC,
    ignores: ['**/*.test.ts'],
    rules: {
      'no-console': 'error',
      'no-restricted-syntax': [
        'error',
        { selector: "MemberExpression[object.name='process'][property.name='env']", message: 'read the environment only in config.ts' },
      ],
    },
  },
  {
    files: ['**/config.ts', '**/*.test.ts', '**/test/**/*.ts'],
    rules: { 'no-restricted-syntax': 'off' },
  },
);
