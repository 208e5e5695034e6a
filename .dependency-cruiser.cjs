/** Dependency rules of DESIGN.md §2, checked in CI (`npm run deps:check`). */
module.exports = {
  forbidden: [
    { name: "no-circular", severity: "error", comment: "No import cycles anywhere in src/.", from: {}, to: { circular: true } },
    { name: "core-imports-nothing-internal", severity: "error", from: { path: "^src/core/" }, to: { path: "^src/", pathNot: "^src/core/" } },
    { name: "no-engine-from-edges", severity: "error", comment: "sources, actions and outbound never import the engine.", from: { path: "^src/(sources|actions|outbound)/" }, to: { path: "^src/engine/" } },
    { name: "engine-no-runners", severity: "error", comment: "The engine never imports an action implementation, execa or fastify.", from: { path: "^src/engine/" }, to: { path: ["^src/actions/", "^src/ingest/", "^src/outbound/", "^src/bus/(nats|memory)", "node_modules/(execa|fastify)/"] } },
    { name: "nats-only-in-bus-nats", severity: "error", comment: "Only src/bus/nats/ imports @nats-io/*.", from: { path: "^src/", pathNot: "^src/bus/nats/" }, to: { path: "node_modules/@nats-io/" } },
    { name: "runtime-only-from-cli", severity: "error", comment: "Nothing imports runtime except cli.", from: { path: "^src/", pathNot: "^src/(runtime|cli)/" }, to: { path: "^src/runtime/" } },
    { name: "rulebook-knows-no-bus-or-runners", severity: "error", from: { path: "^src/rulebook/" }, to: { path: ["^src/(bus|actions|engine|ingest|outbound|runtime|api|cli)/", "node_modules/(execa|fastify|@nats-io)/"] } },
    { name: "sources-are-pure", severity: "error", comment: "Source kinds are pure verify + normalize.", from: { path: "^src/sources/" }, to: { path: ["^src/(bus|ingest|engine|actions|outbound|runtime|api|cli)/", "node_modules/(fastify|@nats-io|execa)/"] } },
    { name: "ui-talks-to-api-only", severity: "error", from: { path: "^src/ui/" }, to: { path: "^src/", pathNot: "^src/(ui|core)/" } },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: { exportsFields: ["exports"], conditionNames: ["import", "require", "node", "default"], extensions: [".ts", ".js", ".json"] },
    moduleSystems: ["es6"],
  },
};
