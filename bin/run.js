#!/usr/bin/env node
import {existsSync, readFileSync} from 'node:fs'
import module from 'node:module'
import {homedir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'

// Node >= 22.1 can keep compiled code between runs (none on Node 20: the call is absent there).
module.enableCompileCache?.(join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'prefectdb', 'compile-cache'))

const root = fileURLToPath(new URL('..', import.meta.url))

/**
 * True when the arguments name one of prefectdb's own commands (dist/commands/<topic>/<name>.js)
 * and ask for no help. Such a run needs none of oclif's plugins (help, autocomplete), whose
 * package.json files and manifests oclif would otherwise read first (~8 ms CPU, issue 14).
 */
function ownCommandWithoutHelp(argv) {
  if (argv.some((arg) => arg === '--help' || arg === '-h')) return false
  const words = []
  for (const arg of argv.slice(0, 3)) {
    if (!/^[a-z][a-z0-9-]*$/.test(arg)) break
    words.push(arg)
    if (existsSync(join(root, 'dist', 'commands', ...words) + '.js')) return true
  }
  return false
}

const {execute} = await import('#oclif-core')

if (ownCommandWithoutHelp(process.argv.slice(2))) {
  const pjson = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'))
  await execute({loadOptions: {root, pjson: {...pjson, oclif: {...pjson.oclif, plugins: []}}}})
} else {
  await execute({dir: import.meta.url})
}
