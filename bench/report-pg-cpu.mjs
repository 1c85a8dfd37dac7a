// `node --import bench/report-pg-cpu.mjs …` also prints, as the process exits, the CPU time
// (user + system, µs) its PostgreSQL server processes spent: on PostgreSQL most of a list's
// work happens there, which the client's own CPU time does not show. Each connection's backend
// is read from /proc (same machine) just before the connection closes, or at exit if it never
// closed. Resolution: one clock tick (10 ms) per backend.
import {readFileSync, writeSync} from 'node:fs';

import pg from 'pg';

const TICK_US = 10_000;
const open = new Set();
let serverUs = 0;

function backendUs(pid) {
  try {
    // Fields after the command name (which may hold spaces) start at state, field 3; utime and stime are 14 and 15.
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) * TICK_US;
  } catch {
    return 0;
  }
}

const {connect, end} = pg.Client.prototype;
pg.Client.prototype.connect = function (...args) {
  open.add(this);
  return connect.apply(this, args);
};
pg.Client.prototype.end = function (...args) {
  if (open.delete(this) && this.processID) serverUs += backendUs(this.processID);
  return end.apply(this, args);
};

process.on('exit', () => {
  for (const client of open) if (client.processID) serverUs += backendUs(client.processID);
  writeSync(2, `\nprefectdb-bench-server-cpu-us ${serverUs}\n`);
});
