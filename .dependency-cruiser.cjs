/**
 * The import rules of waddlebot (docs/architecture.md draws them). `npm run depcheck` (part of `npm test`)
 * fails on any violation; test/architecture/dependency-rules.test.ts shows each rule failing on a
 * deliberate violation. Tests, fixtures and test support are not part of the package and are not checked.
 */
const PLATFORM_LIBS = { discord: 'discord\\.js', twitch: 'tmi\\.js', slack: '@slack/bolt' }

module.exports = {
  forbidden: [
    {
      name: 'runtime-stays-down',
      comment: 'The runtime (kernel) imports no module, collector, command, CLI helper or TUI: the CLI hands it the catalog.',
      severity: 'error',
      from: { path: '^src/runtime/' },
      to: { path: '^src/(modules|collectors|commands|cli|tui)/' },
    },
    {
      name: 'contract-stays-pure',
      comment: 'The contract (wire schemas and types) depends on nothing of waddlebot but itself.',
      severity: 'error',
      from: { path: '^src/contract/' },
      to: { path: '^src/', pathNot: '^src/contract/' },
    },
    {
      name: 'modules-meet-through-public-entries',
      comment: "A module imports another module's or collector's files only through its index.ts, public.ts or manifest.ts.",
      severity: 'error',
      from: { path: '^src/modules/([^/]+)/' },
      to: {
        path: '^src/(modules|collectors)/[^/]+/',
        pathNot: ['^src/modules/$1/', '^src/(modules|collectors)/[^/]+/(index|public|manifest)\\.ts$'],
      },
    },
    {
      name: 'collectors-meet-through-public-entries',
      comment: "A collector imports its own files, the collector core, and other modules' or collectors' public entries only.",
      severity: 'error',
      from: { path: '^src/collectors/([^/]+)/' },
      to: {
        path: '^src/(modules|collectors)/[^/]+/',
        pathNot: ['^src/collectors/$1/', '^src/collectors/core/', '^src/(modules|collectors)/[^/]+/(index|public|manifest)\\.ts$'],
      },
    },
    {
      name: 'commands-use-public-faces',
      comment: "Commands, CLI helpers and the TUI reach modules only through a module's public.ts or manifest.ts (and the catalog).",
      severity: 'error',
      from: { path: '^src/(commands|cli|tui)/' },
      to: { path: '^src/(modules|collectors)/[^/]+/', pathNot: '^src/(modules|collectors)/[^/]+/(public|manifest)\\.ts$' },
    },
    ...Object.entries(PLATFORM_LIBS).map(([platform, lib]) => ({
      name: `only-the-${platform}-collector-imports-${platform}-lib`,
      comment: `Only src/collectors/${platform}/ imports its platform library.`,
      severity: 'error',
      from: { path: '^(src|bin)/', pathNot: `^src/collectors/${platform}/` },
      to: { path: `node_modules/${lib}/` },
    })),
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(\\.test\\.ts$|^test/|^bench/|\\.fixture\\.ts$|test-support\\.ts$)' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'], extensions: ['.ts', '.tsx', '.js', '.mjs', '.json'] },
    moduleSystems: ['es6', 'cjs'],
  },
}
