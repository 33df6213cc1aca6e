import { startNats } from '../../testkit/dist/index.js';
import { connect } from '@nats-io/transport-node';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
const nats = await startNats();
const nc = await connect({ servers: nats.url, maxReconnectAttempts: -1, reconnectTimeWait: 100 });
const jsm = await jetstreamManager(nc);
const js = jetstream(nc);
await jsm.streams.add({ name: 'T', subjects: ['t.>'], storage: 'file' });
const payload = new Uint8Array(1000);
const ps = []; for (let i = 0; i < 3000; i++) ps.push(js.publish('t.a', payload)); await Promise.all(ps);
const oc = await js.consumers.get('T', { opt_start_seq: 1 });
let batches = 0, n = 0;
let t = Date.now();
while (n < 3000) {
  const it = await oc.fetch({ max_bytes: 100 * 1024, expires: 2000 });
  let k = 0; try { for await (const m of it) { k++; n++; } } catch (e) { if (batches < 3) console.log('batch err', e.message, e.code); }
  batches++;
  if (batches < 3) console.log('batch size', k);
}
console.log('total', n, 'batches', batches, 'ms', Date.now() - t);
// idle fetch: how long does an empty fetch take
t = Date.now();
let it = await oc.fetch({ max_bytes: 100 * 1024, expires: 1000 });
let k = 0; for await (const m of it) k++;
console.log('empty fetch took', Date.now() - t, 'got', k);
// live: fetch pending, publish mid-way
t = Date.now();
setTimeout(() => js.publish('t.a', payload), 300);
it = await oc.fetch({ max_bytes: 100 * 1024, expires: 3000 });
for await (const m of it) { console.log('live msg seq', m.seq, 'after', Date.now() - t, 'pending', m.info.pending); }
console.log('live fetch ended after', Date.now() - t);
// restart server mid-fetch
t = Date.now();
setTimeout(() => nats.restart().then(() => console.log('restarted at', Date.now() - t)), 200);
try {
  it = await oc.fetch({ max_bytes: 100 * 1024, expires: 3000, idle_heartbeat: 1000 });
  for await (const m of it) { console.log('msg during restart', m.seq); }
  console.log('fetch across restart ended OK after', Date.now() - t);
} catch (e) { console.log('fetch across restart ERR', e.message, Date.now() - t); }
await new Promise(r => setTimeout(r, 1500));
try {
  await js.publish('t.a', payload);
  it = await oc.fetch({ max_bytes: 100 * 1024, expires: 3000, idle_heartbeat: 1000 });
  for await (const m of it) { console.log('msg after restart', m.seq); break; }
  console.log('fetch after restart ended after', Date.now() - t);
} catch (e) { console.log('fetch after restart ERR', e.message, Date.now() - t); }
await nc.close();
await nats.stop();
