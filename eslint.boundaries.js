// @ts-check
// Which folder of src/ may import which (docs/architecture.md, "Folders and what each may import").
// eslint.config.js applies it to src/; test/unit/import-boundaries.test.ts lints scratch files with it.
import boundariesPackage from 'eslint-plugin-boundaries';

// CommonJS: imported from ESM, its module.exports (the plugin) is the default; its typings describe the namespace.
const boundaries = /** @type {import('eslint').ESLint.Plugin} */ (/** @type {unknown} */ (boundariesPackage));

/** A folder of the project, matched from the root. @param {string} type @param {string} pattern */
const element = (type, pattern) => ({ type, pattern, partialMatch: false });

const ELEMENTS = [
  element('service', 'src/service'),
  element('cli', 'src/cli'),
  element('config', 'src/config'),
  element('keys', 'src/keys'),
  element('limits', 'src/limits'),
  element('ops', 'src/ops'),
  element('permits', 'src/permits'),
  element('protocols', 'src/protocols'),
  element('intake', 'src/intake'),
  element('call', 'src/call'),
  element('ivr', 'src/ivr'),
  element('realtime', 'src/realtime'),
  element('recording', 'src/recording'),
  element('sms', 'src/sms'),
  element('staff', 'src/staff'),
  element('store', 'src/store'),
  // Before web: the first element whose pattern matches a file is its element.
  element('staff-console', 'src/web/staff'),
  element('web', 'src/web'),
  element('sim', 'src/sim'),
  // Last, so it holds only the files at the top of src/: errors.ts and the two process entries.
  element('errors', 'src'),
];

/** The process entries (npm start, npm run worker): they start things, and nothing imports them. */
const FILES = [{ category: 'process-entry', pattern: 'src/{main,worker}.ts' }];

/**
 * Each element and what it may import besides itself; anything not listed is refused.
 * @type {Record<string, readonly string[]>}
 */
const MAY_IMPORT = {
  // The domain: rules, fields, read-backs. No transport, no storage, no adapter.
  permits: [],
  // Pure wire formats (Twilio media-stream messages, mu-law, GSM-7): the simulators share these, nothing else.
  protocols: [],
  keys: ['errors'],
  // Rate limits over rate-limiter-flexible (memory or Redis): keys are hashed before they reach the store.
  limits: ['keys'],
  // permits: settings in the domain's own terms (office hours, the staff line's number) are checked by its parsers.
  config: ['errors', 'keys', 'permits'],
  ops: ['permits'],
  // ops: the metric catalogue and the tracer, which every layer that does work worth seeing reports to.
  store: ['errors', 'keys', 'ops', 'permits'],
  staff: ['errors', 'store'],
  // The use cases every channel shares; the SMS summary's text is built at submit, in its transaction.
  intake: ['errors', 'ops', 'permits', 'store', 'sms'],
  // The model session: never storage, never Twilio (see also no-restricted-imports in eslint.config.js).
  // permits: the instructions are rendered in the call's language, a domain term.
  realtime: ['config', 'errors', 'intake', 'ops', 'permits'],
  recording: ['errors', 'keys', 'protocols'],
  // The AI call path keeps its own call log (store) and checks Twilio's signature with web's middleware.
  call: [
    'config',
    'errors',
    'intake',
    'keys',
    'limits',
    'ops',
    'permits',
    'protocols',
    'realtime',
    'recording',
    'store',
    'web',
  ],
  ivr: ['errors', 'intake', 'ops', 'permits', 'store', 'web'],
  sms: ['config', 'errors', 'intake', 'keys', 'ops', 'permits', 'protocols', 'store', 'web'],
  // The public web: the form, its links and the app shell. No model session, no call path, no storage.
  web: ['errors', 'intake', 'keys', 'limits', 'ops', 'permits', 'sms', 'staff-console'],
  // The staff console reads its own records directly (accounts, sessions, the audit log, the call directory),
  // and shows applications and their texts as stored, for review (docs/adr/0005-channels-and-storage.md).
  'staff-console': ['errors', 'keys', 'ops', 'permits', 'staff', 'store', 'web'],
  // The local stand-ins are a separate program that speaks the same protocols: they share only those.
  sim: ['protocols'],
  // The composition root wires everything; it reaches sim/ only by a dynamic import (test/integration/start-imports).
  service: [
    'call',
    'config',
    'errors',
    'intake',
    'ivr',
    'keys',
    'limits',
    'ops',
    'permits',
    'realtime',
    'recording',
    'sim',
    'sms',
    'staff',
    'store',
    'web',
  ],
  // The process entries (main.ts, worker.ts) share the top of src/ with errors.ts.
  errors: ['config', 'keys', 'ops', 'service', 'sms', 'store', 'web'],
};

/** @type {import('eslint').Linter.Config[]} */
export const importBoundaries = [
  {
    files: ['src/**/*.ts'],
    plugins: { boundaries },
    settings: {
      'boundaries/elements': ELEMENTS,
      'boundaries/files': FILES,
      'boundaries/dependency-nodes': ['import', 'dynamic-import', 'export'],
    },
    rules: {
      'boundaries/dependencies': [
        'error',
        {
          default: 'disallow',
          policies: [
            ...Object.entries(MAY_IMPORT).map(([from, to]) => ({
              from: { element: { type: from } },
              allow: { to: { element: { types: { anyOf: [from, ...to] } } } },
            })),
            // Command-line tools are programs of their own: they may use any part.
            { from: { element: { type: 'cli' } }, allow: { to: { element: { type: '*' } } } },
            {
              disallow: { to: { file: { categories: 'process-entry' } } },
              message:
                'A process entry (src/main.ts, src/worker.ts) only starts things: import what it imports instead.',
            },
          ],
        },
      ],
    },
  },
  {
    // Applications are reached through intake by every channel; the staff console reviews them as stored.
    files: ['src/call/**/*.ts', 'src/ivr/**/*.ts', 'src/sms/**/*.ts', 'src/web/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/store/application-repository.ts'],
              message: 'Channels reach applications through src/intake/ (ApplicationService, ResumableDrafts).',
            },
          ],
        },
      ],
    },
  },
  {
    // errors.ts shares the top of src/ with the process entries, but imports nothing of ours.
    files: ['src/errors.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['./*', '../*'], message: 'The error model imports nothing of ours.' }] },
      ],
    },
  },
  {
    // The model session is glue to OpenAI: Twilio and the database are other adapters' business.
    files: ['src/realtime/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['twilio', '@libsql/*', 'ioredis', 'express'], message: 'src/realtime talks only to the model.' },
          ],
        },
      ],
    },
  },
];
