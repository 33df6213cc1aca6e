// Small child programs for the process tests, run with `node -e`.

/** Logs like pino, then announces where it listens, then keeps running. */
export const READY_AFTER_LOGS = `
const log = (o) => process.stdout.write(JSON.stringify({ level: 30, time: Date.now(), pid: process.pid, ...o }) + '\\n');
log({ msg: 'starting' });
process.stdout.write('not json at all\\n');
setTimeout(() => log({ msg: 'listening', address: '127.0.1.2:31589' }), 50);
setInterval(() => {}, 1000);
`;

/** Complains on stderr and exits 3 before it is ready. */
export const FAILS_EARLY = `
process.stderr.write('fatal: cannot bind 127.0.1.2:31589: address already in use\\n');
process.exit(3);
`;

/** Never logs a ready line. */
export const NEVER_READY = `
console.log(JSON.stringify({ level: 30, msg: 'still thinking' }));
setInterval(() => {}, 1000);
`;

/** Ignores SIGTERM, as node as PID 1 does. */
export const IGNORES_SIGTERM = `
process.on('SIGTERM', () => console.log(JSON.stringify({ msg: 'ignoring SIGTERM' })));
console.log(JSON.stringify({ msg: 'ready' }));
setInterval(() => {}, 1000);
`;

/** Exits 0 on SIGTERM after saying so. */
export const GRACEFUL = `
process.on('SIGTERM', () => { console.log(JSON.stringify({ msg: 'shutting down' })); process.exit(0); });
console.log(JSON.stringify({ msg: 'ready' }));
setInterval(() => {}, 1000);
`;

/** Many lines, then one huge line without a newline for a while, then ready. */
export const FLOODS = `
for (let i = 0; i < 2000; i++) process.stdout.write(JSON.stringify({ msg: 'line', i }) + '\\n');
process.stdout.write('x'.repeat(300000));
process.stdout.write('\\n' + JSON.stringify({ msg: 'ready' }) + '\\n');
setInterval(() => {}, 1000);
`;
