// @ts-check
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/** Module boundaries from the architecture page, enforced here rather than by memory. */
const restrict = (...patterns) => ({ 'no-restricted-imports': ['error', { patterns }] });
const rule = (regex, message) => ({ regex, message });

const SRC = rule('(^|/)src/', 'channels receive what they need from the hub in their context; never import src/.');
const INFRA = rule('^(mongoose|bullmq|ioredis)$', 'channels never use the database or the queue library directly.');
const OTHER_CHANNEL = rule('^\\.\\./(?!contract$)[^/]+/', 'a channel imports only channels/contract.ts and its own files.');
const REALTIME = rule('(^|/)realtime/', 'nothing imports realtime/ but main.ts: subscribe to domain events instead.');

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '.tools/**', 'data/**', 'web/**/dist/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-require-imports': 'off',
    },
  },
  { files: ['jest.config.js'], languageOptions: { sourceType: 'commonjs' } },
  { files: ['channels/*.ts'], rules: restrict(SRC, INFRA) },
  { files: ['channels/*/**/*.ts'], rules: restrict(SRC, INFRA, OTHER_CHANNEL) },
  { files: ['config/**/*.ts'], rules: restrict(rule('^\\.\\./', 'config/ imports nothing from the project.')) },
  {
    files: ['src/http/**/*.ts'],
    rules: {
      ...restrict(rule('^mongoose$', 'routes call services; they never touch the database.'), REALTIME),
      // Types of documents may shape responses; the models themselves stay behind services.
      '@typescript-eslint/no-restricted-imports': [
        'error',
        { patterns: [{ regex: '\\.model$', message: 'routes call services; they never touch models.', allowTypeImports: true }] },
      ],
    },
  },
  { files: ['src/routing/**/*.ts'], rules: restrict(rule('^socket\\.io', 'routing emits events; realtime owns socket.io.'), REALTIME) },
  {
    files: ['src/**/*.ts'],
    ignores: ['src/main.ts', 'src/realtime/**', 'src/http/**', 'src/routing/**'],
    rules: restrict(REALTIME),
  },
  { files: ['web/**/*.{js,ts,tsx}'], languageOptions: { globals: { ...globals.browser } } },
  {
    // The console is a browser bundle: of the hub's code it may import only the *types* of the API's
    // response schemas and of the domain events (esbuild erases type-only imports, nothing is bundled).
    files: ['web/console/src/**/*.{ts,tsx}'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^(\\.\\./){3,}src/(http/dto|events/event\\.types)$',
              message: 'the console takes only types from the hub: use `import type`.',
              allowTypeImports: true,
            },
            {
              regex: '^(\\.\\./){3,}(src/(?!(http/dto|events/event\\.types)$)|channels/|config/|test/|bench/|scripts/)',
              message: 'the console is a browser bundle: only types of src/http/dto.ts and src/events/event.types.ts may come from the hub.',
            },
            { regex: '^(mongoose|bullmq|ioredis|express|socket\\.io)$', message: 'server libraries stay out of the browser bundle.' },
          ],
        },
      ],
      // The hub's types bring @types/node into the console's typecheck; its globals do not exist in a browser.
      'no-restricted-globals': ['error', 'process', 'Buffer', 'require', 'module', '__dirname', '__filename', 'global', 'setImmediate'],
    },
  },
);
