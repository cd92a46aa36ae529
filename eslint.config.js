// The phone's JavaScript linter (run by .ci/run: `npx eslint static/js`). Vendored files are
// left as their authors wrote them.
import js from '@eslint/js';
import globals from 'globals';

export default [
  // static/dist is the bundle made from static/js (npm run build): generated, not linted.
  { ignores: ['static/vendor/**', 'static/dist/**', 'node_modules/**'] },
  js.configs.recommended,
  {
    files: ['static/js/**/*.js'],
    languageOptions: {
      ecmaVersion: 2023,
      sourceType: 'module',
      globals: { ...globals.browser },
    },
    rules: {
      'no-unused-vars': ['error', { args: 'after-used', argsIgnorePattern: '^_', caughtErrors: 'none', ignoreRestSiblings: true }],
      eqeqeq: ['error', 'always'],
      'no-var': 'error',
      'prefer-const': 'error',
      'no-implicit-globals': 'error',
      'no-shadow-restricted-names': 'error',
      'no-throw-literal': 'error',
      'no-self-compare': 'error',
      'no-unmodified-loop-condition': 'error',
      'no-unused-private-class-members': 'error',
    },
  },
  {
    files: ['static/sw.js'],
    // Flask fills in __VERSION__ and __PRECACHE__ when it serves the worker (webapp/pwa/views.py).
    languageOptions: { sourceType: 'script', globals: { ...globals.serviceworker, __PRECACHE__: 'readonly' } },
  },
];
