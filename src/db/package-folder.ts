import {existsSync} from 'node:fs';

/**
 * A folder at the package's top level (migrations/…), found from wherever the calling module
 * runs: src/db, dist/db, or a bundled chunk under dist/.
 */
export function packageFolder(name: string): URL {
  for (let dir = new URL('.', import.meta.url); ; dir = new URL('..', dir)) {
    if (existsSync(new URL('package.json', dir)) && existsSync(new URL(name, dir))) return new URL(name, dir);
    if (dir.pathname === '/') throw new Error(`prefectdb: the package's ${name} folder is missing`);
  }
}
