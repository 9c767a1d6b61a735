/**
 * The import rules of the house (README "How it is built"), checked by `npm run check:deps`,
 * which `npm test` runs:
 * - no import cycles anywhere in functions/, infra/, bench/;
 * - core is pure: it imports no adapter, handler, CLI or infra module, no AWS SDK or CDK, and
 *   no node:fs / node:child_process / node:worker_threads (the edges do I/O, core computes);
 * - adapters import core, never a handler, the CLI or another runtime's entry point;
 * - handlers and the CLI never import each other.
 */
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'An import cycle: move the shared piece into a leaf module both sides import.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'core-is-pure',
      severity: 'error',
      comment: 'functions/core knows nothing of the runtimes: no adapters, handlers, CLI or infra.',
      from: { path: '^functions/core/' },
      to: { path: '^(functions/(adapters|handlers|cli)|infra|bench)/' },
    },
    {
      name: 'core-no-io-packages',
      severity: 'error',
      comment: 'functions/core imports no AWS SDK, no CDK, no DuckDB and no file-system or process modules.',
      from: { path: '^functions/core/' },
      to: {
        dependencyTypes: ['npm', 'npm-dev', 'npm-optional', 'npm-peer', 'npm-no-pkg', 'npm-unknown', 'core'],
        path: [
          '^node_modules/(@aws-sdk|aws-cdk-lib|constructs|@duckdb|nodemailer|s3rver)/',
          '^(node:)?(fs|fs/promises|child_process|worker_threads|net|http|https)$',
        ],
      },
    },
    {
      name: 'adapters-not-entry-points',
      severity: 'error',
      comment: 'Adapters plug into core; they never reach for a handler, the CLI or infra.',
      from: { path: '^functions/adapters/' },
      to: { path: '^(functions/(handlers|cli)|infra)/' },
    },
    {
      name: 'handlers-and-cli-apart',
      severity: 'error',
      comment:
        'Lambda handlers and CLI commands are two runtimes over the same core: they share through core.',
      from: { path: '^functions/handlers/' },
      to: { path: '^functions/cli/' },
    },
    {
      name: 'cli-not-handlers',
      severity: 'error',
      from: { path: '^functions/cli/' },
      to: { path: '^functions/handlers/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: ['^node_modules', '^cdk\\.out'] },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default'],
    },
  },
};
