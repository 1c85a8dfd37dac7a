// Build step after `tsc` (npm run build): bundles each command and hook in dist/ with the
// pure-JS libraries it uses (Knex, lodash, luxon, cli-table3, …) into one file per entry plus
// shared chunks, in place, so a command loads a handful of files instead of ~600 (issue 9:
// see bench/startup.ts for the figures). Lazy `import()`s stay lazy as separate chunks (one
// file per command holding everything it may import parsed ~35 ms more CPU for `flow-run ls`).
// @oclif/core is bundled apart, into dist/oclif-core.js, which bin/run.js and every command
// share. Left external: native drivers, what Knex never needs here, and the libraries only
// some commands or formats need, so they load from node_modules only when used (the import
// budget, checked by test/cli/import-budget.test.ts).
import {readFile} from 'node:fs/promises';
import {readdirSync, rmSync, writeFileSync} from 'node:fs';
import {createRequire} from 'node:module';
import path from 'node:path';
import {fileURLToPath} from 'node:url';

import * as esbuild from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
const dist = path.join(root, 'dist');

const entries = ['commands', 'hooks'].flatMap((dir) =>
  readdirSync(path.join(dist, dir), {recursive: true})
    .filter((file) => file.endsWith('.js'))
    .map((file) => path.join(dir, file)),
);

// Knex builds its migration and seed machinery (Migrator, Seeder and their file-system
// loaders) whenever it loads; only `db init` and `db seed` use it. Defer it to first use.
const LAZY_KNEX_PARTS = [
  ["const { Migrator } = require('../migrations/migrate/Migrator');", "class Migrator { constructor(...a) { return new (require('../migrations/migrate/Migrator').Migrator)(...a); } }"],
  ["const Seeder = require('../migrations/seed/Seeder');", "class Seeder { constructor(...a) { return new (require('../migrations/seed/Seeder'))(...a); } }"],
];

// Loaded only by the commands and output formats that need them.
export const ON_DEMAND = ['pg', 'luxon', 'cli-table3', 'csv-stringify', 'croner', 'rrule', 'cronstrue', '@oclif/plugin-not-found'];

// Knex dialects prefectdb never uses (it loads them only by client name).
const UNUSED_DIALECTS = /^\.\/(cockroachdb|mssql|mysql|mariadb|mysql2|oracle|oracledb|pgnative|redshift)$/;

const knexTrim = {
  name: 'knex-trim',
  setup(build) {
    build.onLoad({filter: /knex[/\\]lib[/\\]knex-builder[/\\]make-knex\.js$/}, async (args) => {
      let source = await readFile(args.path, 'utf8');
      for (const [eager, lazy] of LAZY_KNEX_PARTS) {
        if (!source.includes(eager)) throw new Error(`bin/bundle.js: Knex changed, "${eager}" is gone from make-knex.js`);
        source = source.replace(eager, lazy);
      }
      return {contents: source, loader: 'js', resolveDir: path.dirname(args.path)};
    });
    build.onResolve({filter: UNUSED_DIALECTS}, (args) =>
      /knex[/\\]lib[/\\]dialects$/.test(args.resolveDir) ? {path: args.path, namespace: 'unused-dialect'} : undefined,
    );
    build.onLoad({filter: /.*/, namespace: 'unused-dialect'}, (args) => ({
      contents: `throw new Error('Knex dialect ${args.path} is not part of prefectdb');`,
      loader: 'js',
    }));
  },
};

// @oclif/core as one ES module (dist/oclif-core.js, reached through the package's `#oclif-core`
// import): loading its ~150 CommonJS modules one by one cost ~60 ms CPU per process (issue 14).
// An ES module rather than a .cjs file, because Node scans a CommonJS file imported from ESM
// for its export names, which on 700 kB undid the gain. TypeScript and ts-node stay out: oclif
// loads them only for uncompiled plugins, and a literal require() would pull 9 MB of TypeScript
// into the file (why an earlier try was slower). The plugins (help, autocomplete, not-found)
// keep importing @oclif/core from node_modules; they load only when their command or hook runs.
// Its version check reads the package.json beside its own folder, which is no longer @oclif/core's.
const OCLIF_CORE_OWN_PACKAGE_JSON = ["require(path.join(root, 'package.json'))", "require('@oclif/core/package.json')"];
// Libraries oclif requires at load but uses only on some paths (globbing commands without a
// manifest, rendering errors and help, plugin patterns): each becomes a proxy that requires it
// on first use. The Node version check compares against a plain `>=x.y.z` without semver.
const lazyRequire = (binding, request, wrap = (r) => r) => [
  `const ${binding} = ${wrap(`require("${request}")`)};`,
  `const ${binding} = new Proxy({}, {get: (_, key) => ${wrap(`require("${request}")`)}[key]});`,
];
const importDefault = (r) => `__importDefault(${r})`;
const LAZY_OCLIF_PARTS = {
  'index.js': [
    OCLIF_CORE_OWN_PACKAGE_JSON,
    [
      "const semver = require('semver');",
      "const semver = {satisfies: (version, range) => /^>=\\d+\\.\\d+\\.\\d+$/.test(range) ? atLeast(version, range.slice(2)) : require('semver').satisfies(version, range)};",
    ],
  ],
  'config/plugin.js': [lazyRequire('tinyglobby_1', 'tinyglobby')],
  'config/plugin-loader.js': [lazyRequire('minimatch_1', 'minimatch')],
  'config/config.js': [lazyRequire('ejs_1', 'ejs', importDefault)],
  'help/util.js': [lazyRequire('ejs_1', 'ejs', importDefault)],
  'help/formatter.js': [lazyRequire('wrap_ansi_1', 'wrap-ansi', importDefault)],
  'errors/errors/cli.js': [lazyRequire('wrap_ansi_1', 'wrap-ansi', importDefault)],
  'errors/errors/pretty-print.js': [lazyRequire('wrap_ansi_1', 'wrap-ansi', importDefault)],
};
const AT_LEAST = `
function atLeast(version, minimum) {
  const [a, b] = [version, minimum].map((v) => v.split('.').map(Number));
  for (let i = 0; i < 3; i++) if (a[i] !== b[i]) return a[i] > b[i];
  return true;
}`;
const oclifCoreFile = {
  name: 'oclif-core-file',
  setup(build) {
    build.onResolve({filter: /^oclif-core-exports$/}, () => ({path: 'oclif-core-exports', namespace: 'oclif-core-exports'}));
    build.onLoad({filter: /.*/, namespace: 'oclif-core-exports'}, () => {
      const names = Object.keys(createRequire(import.meta.url)('@oclif/core')).filter((name) => name !== '__esModule');
      return {contents: `export {${names.join(', ')}} from '@oclif/core';`, loader: 'js', resolveDir: root};
    });
    build.onLoad({filter: /@oclif[/\\]core[/\\]lib[/\\].*\.js$/}, async (args) => {
      const file = args.path.split(/@oclif[/\\]core[/\\]lib[/\\]/)[1].replaceAll('\\', '/');
      const parts = LAZY_OCLIF_PARTS[file];
      if (!parts) return undefined;
      let source = await readFile(args.path, 'utf8');
      for (const [eager, lazy] of parts) {
        if (!source.includes(eager)) throw new Error(`bin/bundle.js: @oclif/core changed, "${eager}" is gone from lib/${file}`);
        source = source.replace(eager, lazy);
      }
      if (file === 'index.js') source += AT_LEAST;
      return {contents: source, loader: 'js', resolveDir: path.dirname(args.path)};
    });
  },
};
const oclifCore = await esbuild.build({
  entryPoints: ['oclif-core-exports'],
  outfile: path.join(dist, 'oclif-core.js'),
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  external: ['typescript', 'ts-node', 'pnpapi'],
  // oclif's CommonJS code calls require() for Node's built-ins and, as fallbacks, reads __dirname.
  banner: {js: [
    "import {createRequire as __prefectdbRequire} from 'node:module'; const require = __prefectdbRequire(import.meta.url);",
    "import {dirname as __prefectdbDirname} from 'node:path'; import {fileURLToPath as __prefectdbPath} from 'node:url';",
    'const __filename = __prefectdbPath(import.meta.url); const __dirname = __prefectdbDirname(__filename);',
  ].join('\n')},
  plugins: [oclifCoreFile],
  metafile: true,
  logLevel: 'warning',
});

const result = await esbuild.build({
  entryPoints: entries.map((entry) => ({in: path.join(dist, entry), out: entry.replace(/\.js$/, '')})),
  outdir: dist,
  allowOverwrite: true,
  bundle: true,
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  format: 'esm',
  platform: 'node',
  target: 'node20',
  external: [
    'better-sqlite3', 'pg-native', 'pg-query-stream', 'sqlite3', 'mysql', 'mysql2', 'mariadb', 'oracledb', 'tedious',
    ...ON_DEMAND,
  ],
  // CommonJS libraries inside an ES module bundle still call require() for Node's built-ins.
  banner: {js: "import {createRequire as __prefectdbRequire} from 'node:module'; const require = __prefectdbRequire(import.meta.url);"},
  plugins: [knexTrim, {name: 'oclif-core', setup: (build) => build.onResolve({filter: /^@oclif\/core$/}, () => ({path: '#oclif-core', external: true}))}],
  metafile: true,
  logLevel: 'warning',
  logOverride: {'require-resolve-not-external': 'silent', 'empty-import-meta': 'silent'},
});

// Which sources each output file holds: the import-budget test reads it (test/cli/import-budget.test.ts).
const inputsByOutput = Object.fromEntries(
  [...Object.entries(result.metafile.outputs), ...Object.entries(oclifCore.metafile.outputs)].map(([output, {inputs}]) => [path.relative(dist, path.resolve(root, output)), Object.keys(inputs)]),
);
writeFileSync(path.join(dist, 'chunks', 'inputs.json'), JSON.stringify(inputsByOutput));

// What tsc wrote besides the entries now lives in the bundles: remove it, so nothing can load
// a second copy of a module.
for (const name of readdirSync(dist)) {
  if (!['commands', 'hooks', 'chunks', 'oclif-core.js'].includes(name)) rmSync(path.join(dist, name), {recursive: true});
}
