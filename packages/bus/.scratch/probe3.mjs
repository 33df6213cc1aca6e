import { startNats } from '../../testkit/dist/index.js';
import { connect } from '@nats-io/transport-node';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
const nats = await startNats();
const nc = await connect({ servers: nats.url });
const jsm = await jetstreamManager(nc);
const js = jetstream(nc);
await jsm.streams.add({ name: 'T', subjects: ['t.>'], storage: 'file' });
const payload = new Uint8Array(1000);
const N = 50000;
for (let b = 0; b < N / 1000; b++) { const ps = []; for (let i = 0; i < 1000; i++) ps.push(js.publish('t.a', payload)); await Promise.all(ps); }
async function fetchLoop(opts) {
  const oc = await js.consumers.get('T', { opt_start_seq: 1 });
  let n = 0; const t = Date.now();
  while (n < N) {
    const it = await oc.fetch(opts);
    const t0 = Date.now(); let k = 0;
    try { for await (const m of it) { n++; k++; } } catch (e) { if (!/maxbytes/.test(e.message)) throw e; }
    if (process.env.V) console.log(' batch', k, Date.now() - t0, 'ms');
  }
  console.log(JSON.stringify(opts), Math.round(N / ((Date.now() - t) / 1000)), 'msg/s');
  await oc.delete().catch(() => {});
}
await fetchLoop({ max_bytes: 256 * 1024, expires: 5000 });
await fetchLoop({ max_bytes: 4 * 1024 * 1024, expires: 5000 });
await fetchLoop({ max_bytes: 1024 * 1024, expires: 5000 });
{
  const oc = await js.consumers.get('T', { opt_start_seq: 1 });
  let n = 0; const t = Date.now();
  const it = await oc.consume({ max_messages: 1000 });
  for await (const m of it) { n++; if (n >= N) break; }
  console.log('consume 1000', Math.round(N / ((Date.now() - t) / 1000)), 'msg/s');
}
await nc.close();
await nats.stop();
