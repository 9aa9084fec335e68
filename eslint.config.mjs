// Lint is part of `npm test`: type-aware rules catch floating promises, which lose errors in Lambda.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', '.serverless*/', '.esbuild*/', '.local/', '.scratch/', 'coverage/'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      '@typescript-eslint/require-await': 'off',
    },
  },
  {
    files: ['**/*.test.ts', 'tests/**/*.ts', 'bench/**/*.ts', 'local/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-explicit-any': 'off',
    },
  },
  // Layering (CONTRIBUTING.md): the domain knows no AWS SDK, adapter, handler, wiring or HTTP; handlers reach adapters
  // only through their context's wiring.ts. Tests may build fixtures from any layer.
  {
    files: ['functions/*/domain/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['@aws-sdk/*'], message: 'Domain code imports no AWS SDK: declare a port here, implement it in adapters/.' },
            {
              group: ['**/adapters/*', '**/handlers/*', '**/wiring.js', '**/shared/http/*'],
              message: 'Domain code depends on nothing outside the domain and functions/shared (not shared/http).',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['functions/*/handlers/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['**/adapters/*'], message: "Handlers get adapters through the context's wiring.ts." }] },
      ],
    },
  },
  { files: ['**/*.mjs', '**/*.js'], ...tseslint.configs.disableTypeChecked },
);
