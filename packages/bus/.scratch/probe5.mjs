import { startNats } from '../../testkit/dist/index.js';
import { connectBus, ensureStreams, headRevision } from '../dist/index.js';
const nats = await startNats();
const b = await connectBus({ servers: nats.url, name: 'x', reconnectTimeWaitMs: 50 });
await ensureStreams(b, { storage: 'file' });
const t0 = Date.now();
(async () => { for await (const s of b.nc.status()) console.log(Date.now() - t0, 'status', s.type, s.data ?? ''); })();
await nats.restart();
console.log(Date.now() - t0, 'restarted');
for (let i = 0; i < 5; i++) {
  try { console.log(Date.now() - t0, 'head', await headRevision(b)); break; } catch (e) { console.log(Date.now() - t0, 'err', e.message); }
}
await b.close(); await nats.stop();
