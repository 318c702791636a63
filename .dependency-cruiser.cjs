// The project's dependency rules: which room (top-level folder) may import which. Read top to
// bottom, it is a map of the architecture; `npm run deps` checks every import against it and CI
// fails on any error. CommonJS because package.json says "type": "module".
//
// The rooms, from the core outwards:
//   quality/      the DQDL engine
//   contract/     the data contract, CSV reader, checks, policy, outcome schema, SQL, lake prefixes
//   drop-client/  uploads a drop to S3 and follows its Step Functions run
//   action/       the GitHub Action (bundled to dist/)
//   bot/          the Slack bot
//   infra/        what deploys to AWS: CDK app, constructs, Glue script, custom-resource handlers
//   local-aws/    the local twin of the AWS side
//   cli/          the `movies` CLI; bin/movies.js is only its npm entry
//   demo/         the offline demo and a Slack Web API stand-in
//   scripts/      build and maintenance scripts
//   test/         the tests, mirroring the rooms

/** What runs in production (in AWS, in the Action, in the bot): none of it may lean on tooling. */
const PRODUCTION = ['quality', 'contract', 'drop-client', 'action', 'bot', 'infra'];

/** What `npm install movies-gds` runs besides: the CLI, its entry, and the local twin it starts. */
const SHIPPED_CLI = ['cli', 'bin', 'local-aws'];

/** A path pattern for files in the given rooms. */
const inRooms = (...rooms) => `^(${rooms.join('|')})/`;

/**
 * A project file outside the given rooms: for rules that say "imports only these rooms". A
 * relative import anywhere else (another room, a new top-level folder, a root file) breaks it.
 */
const outside = (...rooms) => ({ dependencyTypes: ['local'], pathNot: inRooms(...rooms) });

/** Every kind of npm dependency dependency-cruiser tells apart. */
const NPM = ['npm', 'npm-dev', 'npm-optional', 'npm-peer', 'npm-bundled', 'npm-no-pkg', 'npm-unknown'];

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    // The core.
    {
      name: 'quality-imports-no-room',
      severity: 'error',
      comment:
        'quality/ is the DQDL engine: parse, evaluate and report rules over rows. It is the innermost ' +
        'room and knows nothing of movies, drops or AWS, so it imports no other room.',
      from: { path: inRooms('quality') },
      to: outside('quality'),
    },
    {
      name: 'quality-uses-node-builtins-only',
      severity: 'error',
      comment:
        'quality/ imports no npm package at all, only Node built-ins: the engine stays small, ' +
        'dependency-free and runs anywhere Node does.',
      from: { path: inRooms('quality') },
      to: { dependencyTypes: NPM },
    },
    {
      name: 'contract-imports-only-quality',
      severity: 'error',
      comment:
        'contract/ is the data contract and the outcome core every other room shares (CSV reader, ' +
        'checks, policy, outcome schema, SQL, lake prefixes). Among the rooms it builds on quality/ only: ' +
        'what it would need from another room belongs here, or the caller passes it in.',
      from: { path: inRooms('contract') },
      to: outside('contract', 'quality'),
    },
    {
      name: 'contract-has-no-platform-sdk',
      severity: 'error',
      comment:
        'contract/ is pure: no AWS SDK, no CDK, no Slack, no GitHub. Talking to a platform is the job ' +
        'of the rooms around it (drop-client, infra, bot, action), so the contract runs and tests offline.',
      from: { path: inRooms('contract') },
      to: {
        path: 'node_modules/(@aws-sdk/|@smithy/|aws-cdk-lib/|aws-cdk/|constructs/|cdk-nag/|@slack/|@actions/|@octokit/)',
      },
    },

    // What runs in production never leans on tooling.
    {
      name: 'production-not-to-tooling',
      severity: 'error',
      comment:
        'Production code (quality, contract, drop-client, action, bot, infra) never imports the local ' +
        'twin, the demo, the CLI, the scripts or the tests: those are built on top of it, not under it. ' +
        'A name both sides need goes in contract/ (as PIPELINE_NAME in lake.ts); a twin default is ' +
        'passed in by the CLI (cli/twin-defaults.ts).',
      from: { path: inRooms(...PRODUCTION) },
      to: { path: inRooms('local-aws', 'demo', 'cli', 'scripts', 'test') },
    },

    // Each room's allowed neighbours.
    {
      name: 'drop-client-imports-only-the-contract',
      severity: 'error',
      comment:
        'drop-client/ uploads a drop and follows its run; the Action and the CLI share it. Among the ' +
        'rooms it knows only the contract (and the DQDL engine beneath it).',
      from: { path: inRooms('drop-client') },
      to: outside('drop-client', 'contract', 'quality'),
    },
    {
      name: 'action-imports-contract-and-drop-client',
      severity: 'error',
      comment:
        'action/ is the GitHub Action: it checks a drop against the contract and sends it with the ' +
        'drop client. It imports only contract/, quality/ and drop-client/.',
      from: { path: inRooms('action') },
      to: outside('action', 'contract', 'quality', 'drop-client'),
    },
    {
      name: 'bot-imports-only-the-contract',
      severity: 'error',
      comment:
        'bot/ is the Slack bot: it answers from the contract (outcomes, SQL, lake prefixes). It imports ' +
        'only contract/ and quality/; what it needs from elsewhere belongs in the contract.',
      from: { path: inRooms('bot') },
      to: outside('bot', 'contract', 'quality'),
    },
    {
      name: 'infra-imports-only-the-contract',
      severity: 'error',
      comment:
        'infra/ is what deploys to AWS. The CDK app deploys what the contract defines; it never ' +
        "imports the bot's, the Action's or the twin's code (it bundles handlers by path, not by import). " +
        'What the stack and a handler both need goes in contract/.',
      from: { path: inRooms('infra') },
      to: outside('infra', 'contract', 'quality'),
    },
    {
      name: 'local-aws-imports-contract-and-infra',
      severity: 'error',
      comment:
        'local-aws/ is the local twin of the AWS side. It runs the real synthesized state machine, so ' +
        'it may import infra/, besides contract/ and quality/; never the bot, the Action or the CLI.',
      from: { path: inRooms('local-aws') },
      to: outside('local-aws', 'contract', 'quality', 'infra'),
    },
    {
      name: 'cli-not-to-demo-scripts-test',
      severity: 'error',
      comment:
        'cli/ is the `movies` CLI, the outermost room: it may use any room, but not the demo, the ' +
        'scripts or the tests.',
      from: { path: inRooms('cli') },
      to: { path: inRooms('demo', 'scripts', 'test') },
    },
    {
      name: 'demo-not-to-test',
      severity: 'error',
      comment: 'demo/ is the offline demo: it may use any room but the tests.',
      from: { path: inRooms('demo') },
      to: { path: inRooms('test') },
    },
    {
      name: 'bin-is-only-the-cli-entry',
      severity: 'error',
      comment:
        'bin/movies.js is the npm entry of the CLI and nothing more: it starts cli/ and imports no other room.',
      from: { path: inRooms('bin') },
      to: outside('bin', 'cli'),
    },
    {
      name: 'nothing-imports-bin',
      severity: 'error',
      comment: 'bin/ is where npm starts the CLI; code imports cli/ itself, never its entry.',
      from: {},
      to: { path: inRooms('bin') },
    },
    {
      name: 'only-tests-import-tests',
      severity: 'error',
      comment: 'test/ holds the tests and their helpers and fixtures; nothing outside test/ imports them.',
      from: { pathNot: inRooms('test') },
      to: { path: inRooms('test') },
    },

    // Hygiene everywhere.
    {
      name: 'no-circular',
      severity: 'error',
      comment:
        'No import cycles, within a room or across rooms, type-only imports included: modules in a ' +
        'cycle cannot be read, tested or moved apart. Split out what both need (a shared type too).',
      from: {},
      to: { circular: true },
    },
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      comment:
        'Every import resolves to a file or an installed package: a typo, a moved file or a package ' +
        'missing from package.json fails here.',
      from: {},
      to: { couldNotResolve: true },
    },
    {
      name: 'not-to-dev-dep',
      severity: 'error',
      comment:
        'Production code, and the CLI that npm installs (cli/, bin/, and local-aws/ which it runs, on ' +
        'tsx), imports only packages in "dependencies": devDependencies are not installed where it ' +
        'runs. Type-only imports vanish at run time, so they may name a dev dependency.',
      from: { path: inRooms(...PRODUCTION, ...SHIPPED_CLI) },
      to: { dependencyTypes: ['npm-dev'], dependencyTypesNot: ['type-only'] },
    },
  ],

  options: {
    // Every file of the project, a new folder's included; not installed, built or generated ones.
    exclude: { path: '^(node_modules|dist|cdk\\.out|coverage|\\.movies-local|scratch|out)/' },
    // Check the project's own imports, not the packages' own insides.
    doNotFollow: { path: 'node_modules' },
    // Type-only imports count: they couple rooms as much as value imports do.
    tsPreCompilationDeps: true,
    // Resolve as TypeScript does: the code imports `.ts` files by their extension
    // (ESM, allowImportingTsExtensions), and packages through their "exports" maps.
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default'],
      extensions: ['.ts', '.js', '.mjs', '.cjs', '.json', '.d.ts'],
      mainFields: ['module', 'main', 'types', 'typings'],
    },
  },
};
