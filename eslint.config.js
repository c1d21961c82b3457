import js from '@eslint/js';
import globals from 'globals';
import reactHooks from 'eslint-plugin-react-hooks';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';

export default tseslint.config(
  { ignores: ['dist', 'build', 'coverage', 'node_modules', '.lab', 'test-results', 'playwright-report'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node, ...globals.browser } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-restricted-syntax': [
        'error',
        {
          // A folder named "my labs" stays "my%20labs" in a URL's pathname.
          selector: "MemberExpression[property.name='pathname'][object.callee.name='URL']:has(MetaProperty)",
          message:
            'use fileURLToPath(new URL(..., import.meta.url)): .pathname keeps %20 and breaks on paths with spaces',
        },
      ],
    },
  },
  {
    // Type-aware rules: a promise nobody awaits or catches is how an fs error became an
    // unhandled rejection that took the whole lab down.
    files: ['**/*.{ts,tsx}'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
    },
  },
  {
    // CommonJS files are CommonJS on purpose (e.g. a worker's boot script that needs vm and require).
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['src/**/*.{ts,tsx}'],
    plugins: { 'react-hooks': reactHooks },
    rules: reactHooks.configs.recommended.rules,
  },
  // Layout is Prettier's job (npm run format); this turns off the ESLint rules that would disagree with it.
  prettier,
);
