// `node --import bench/report-cpu.mjs …` prints the process's CPU time (user + system, µs) on
// stderr as it exits: bench/startup.ts reports it beside wall time, which a busy machine skews.
import {writeSync} from 'node:fs';

process.on('exit', () => {
  const {user, system} = process.cpuUsage();
  writeSync(2, `\nprefectdb-bench-cpu-us ${user + system}\n`);
});
