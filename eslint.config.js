// @ts-check
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import security from 'eslint-plugin-security';
import globals from 'globals';
import tseslint from 'typescript-eslint';
import { importBoundaries } from './eslint.boundaries.js';

export default defineConfig(
  // build/ holds generated output: reports, the SBOM, and Stryker's sandboxes (left behind when a run is stopped).
  { ignores: ['node_modules/', 'data/', 'coverage/', 'build/'] },
  js.configs.recommended,
  security.configs.recommended,
  {
    files: ['**/*.ts'],
    extends: [tseslint.configs.strictTypeChecked],
    languageOptions: {
      globals: globals.node,
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      'no-console': 'error',
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
      // Field names come from our own zod schema, never from the request, so
      // bracket access on them is not an injection sink.
      'security/detect-object-injection': 'off',
    },
  },
  ...importBoundaries,
  {
    // The one script we serve: the staff replay page's, run by the browser.
    files: ['src/web/static/**/*.js'],
    languageOptions: { globals: globals.browser, sourceType: 'script' },
  },
  {
    files: ['test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
      'security/detect-non-literal-fs-filename': 'off',
      'security/detect-non-literal-regexp': 'off',
    },
  },
);
