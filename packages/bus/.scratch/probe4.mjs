import { startNats } from '../../testkit/dist/index.js';
import { connect } from '@nats-io/transport-node';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
const nats = await startNats();
const nc = await connect({ servers: nats.url });
const jsm = await jetstreamManager(nc);
const js = jetstream(nc);
await jsm.streams.add({ name: 'T', subjects: ['t.>'], storage: 'file' });
const payload = new Uint8Array(1000);
const ps = []; for (let i = 0; i < 2000; i++) ps.push(js.publish('t.a', payload)); await Promise.all(ps);
console.log('published');
for (const mb of [100 * 1024, 256 * 1024, 1024*1024]) {
  const oc = await js.consumers.get('T', { opt_start_seq: 1 });
  const t0 = Date.now(); let k = 0;
  const it = await oc.fetch({ max_bytes: mb, expires: 3000 });
  try { for await (const m of it) { k++; } } catch (e) { console.log('err', e.message); }
  console.log(mb, 'got', k, Date.now() - t0, 'ms');
}
await nc.close();
await nats.stop();
