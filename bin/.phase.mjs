const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };
const marks = [['start', cpu()]];
const core = await import('#oclif-core'); marks.push(['import core', cpu()]);
const config = await core.Config.load({root: '/work/wt/startup'}); marks.push(['Config.load', cpu()]);
const cmd = config.findCommand('flow-run:ls'); const C = await cmd.load(); marks.push(['command module', cpu()]);
await import('/work/wt/startup/dist/chunks/' + process.env.KNEXCHUNK); marks.push(['knex chunk (already?)', cpu()]);
await C.run(process.argv.slice(2), config); marks.push(['run', cpu()]);
process.on('exit', () => { for (let i = 1; i < marks.length; i++) process.stderr.write(`${marks[i][0].padEnd(24)} ${(marks[i][1] - marks[i - 1][1]).toFixed(1)}\n`); process.stderr.write(`total ${marks.at(-1)[1].toFixed(1)} (process ${(cpu()).toFixed(1)})\n`); });
