#!/usr/bin/env node
// Runs the TypeScript sources directly (oclif registers tsx when it is installed).
import {execute} from '@oclif/core'

await execute({development: true, dir: import.meta.url})
