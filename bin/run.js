#!/usr/bin/env node
import module from 'node:module'
import {homedir} from 'node:os'
import {join} from 'node:path'

// Node >= 22.1 can keep compiled code between runs (none on Node 20: the call is absent there).
module.enableCompileCache?.(join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'prefectdb', 'compile-cache'))

const {execute} = await import('#oclif-core')

await execute({dir: import.meta.url})
