/**
 * The layers of src/ and what each may import; docs/architecture.md explains
 * them. `npm test` runs this check first (`npm run check:layers`): an import a
 * layer is not allowed, an import cycle, or a module in no layer fails it,
 * naming the importing and the imported file.
 *
 * Each layer lists the layers below it that it may import; it may always
 * import its own modules, and npm packages unless it says otherwise.
 * Type-only imports count like any other.
 */

/** @type {Record<string, { path: string, mayImport: string[], npm?: false }>} */
const layers = {
  errors: { path: '^src/errors\\.ts$', mayImport: [] },
  // Answers on the wire that the service's own clients read too (the command line, the console): no imports at all.
  wire: { path: '^src/wire/', mayImport: [], npm: false },
  collections: { path: '^src/collections/', mayImport: ['errors'] },
  entity: { path: '^src/entity/', mayImport: ['collections', 'errors'] },
  query: { path: '^src/query/', mayImport: ['entity', 'collections', 'errors'] },
  events: { path: '^src/events/', mayImport: ['collections', 'errors'] },
  // A domain's calendar document (work days and hours), which recording schedules refer to.
  calendar: { path: '^src/calendar/', mayImport: ['entity', 'collections', 'errors'] },
  store: { path: '^src/store/', mayImport: ['calendar', 'events', 'query', 'entity', 'collections', 'errors'] },
  auth: { path: '^src/auth/', mayImport: ['store', 'entity', 'collections', 'errors'] },
  openapi: { path: '^src/openapi/', mayImport: ['query', 'entity', 'collections', 'errors'] },
  // Applying recording rules to calls: fed by the change feed and the stores' interface, never by HTTP handlers.
  decisions: { path: '^src/decisions/', mayImport: ['wire', 'store/store.ts', 'events', 'calendar', 'query', 'entity', 'collections', 'errors'] },
  // The HTTP/1.1 reader in front of Node's parser: node builtins and the error catalogue only.
  edge: { path: '^src/edge/', mayImport: ['errors'], npm: false },
  http: { path: '^src/http/', mayImport: ['wire', 'edge', 'decisions', 'openapi', 'auth', 'store', 'calendar', 'events', 'query', 'entity', 'collections', 'errors'] },
  // The command line's tables flatten entities as the service's flat=true does (query/projection).
  client: { path: '^src/client/', mayImport: ['wire', 'query', 'collections', 'errors'] },
  // The browser console: talks to the service over HTTP only, so of src/ it imports only the wire shapes of answers (npm packages: preact).
  console: { path: '^console/', mayImport: ['wire'] },
  'entry points': { path: '^src/(main|service|cli|config|runtime|startup-failure|workers)\\.ts$', mayImport: ['wire', 'http', 'edge', 'client', 'decisions', 'openapi', 'auth', 'store', 'calendar', 'events', 'query', 'entity', 'collections', 'errors'] },
};

/** Parts of a layer that another layer may import without the rest. */
const parts = {
  'store/store.ts': '^src/store/store\\.ts$',
};

const pathOf = (name) => parts[name] ?? layers[name].path;

const layerRules = Object.entries(layers).map(([name, { path, mayImport, npm }]) => ({
  name: `layer ${name}`,
  severity: 'error',
  comment: `${name} may import ${mayImport.length ? mayImport.join(', ') : 'no other layer'}${npm === false ? ' and node builtins, no npm package' : ''} (docs/architecture.md)`,
  from: { path },
  to: {
    pathNot: [path, ...mayImport.map(pathOf), ...(npm === false ? [] : ['(^|/)node_modules/'])],
    dependencyTypesNot: ['core'],
  },
}));

export default {
  forbidden: [
    ...layerRules,
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'an import cycle: modules that need each other belong in one module or need a lower one they both import',
      from: {},
      to: { circular: true },
    },
    {
      name: 'unplaced module',
      severity: 'error',
      comment: 'every module of src/ belongs to a layer: give its folder one in .dependency-cruiser.mjs and docs/architecture.md',
      from: { path: '^src/', pathNot: Object.values(layers).map((layer) => layer.path) },
      to: {},
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    // Type-only imports are dependencies too.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default', 'types'] },
  },
};
