import { startNats } from '../../testkit/dist/index.js';
import { connect } from '@nats-io/transport-node';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
const nats = await startNats();
console.log('started', nats.url, nats.pid);
const nc = await connect({ servers: nats.url });
console.log('max_payload', nc.info?.max_payload, 'version', nc.info?.version);
const jsm = await jetstreamManager(nc);
const js = jetstream(nc);
await jsm.streams.add({ name: 'T', subjects: ['t.>'], storage: 'file', discard: 'new', deny_delete: true, deny_purge: true, allow_rollup_hdrs: false });
const tryPub = async (label, subj, opts) => {
  try { const pa = await js.publish(subj, new Uint8Array([1]), opts); console.log(label, 'OK seq', pa.seq, 'dup', pa.duplicate); }
  catch (e) { console.log(label, 'ERR', e.constructor.name, e.code, e.message, JSON.stringify(e.apiError?.())); }
};
await tryPub('empty stream, lastSequence 0', 't.a', { expect: { lastSequence: 0 } });
await tryPub('stream has 1, lastSequence 0', 't.a', { expect: { lastSequence: 0 } });
await tryPub('stream has 2, lastSequence 5 (wrong)', 't.a', { expect: { lastSequence: 5 } });
await tryPub('subject t.b empty, lastSubjectSequence 0', 't.b', { expect: { lastSubjectSequence: 0 } });
await tryPub('subject t.b has 1 msg, lastSubjectSequence 0', 't.b', { expect: { lastSubjectSequence: 0 } });
await tryPub('subject t.b lastSubjectSequence 99 wrong', 't.b', { expect: { lastSubjectSequence: 99 } });
await tryPub('subject t.c empty, lastSubjectSequence 3 wrong', 't.c', { expect: { lastSubjectSequence: 3 } });
const si = await jsm.streams.info('T'); console.log('last_seq', si.state.last_seq);
const L = si.state.last_seq;
await tryPub('both: stream wrong, subject right', 't.a', { expect: { lastSequence: L - 1, lastSubjectSequence: 2 } });
await tryPub('both: stream right, subject wrong', 't.a', { expect: { lastSequence: L, lastSubjectSequence: 1 } });
await tryPub('msgid m1', 't.a', { msgID: 'm1' });
await tryPub('msgid m1 again', 't.a', { msgID: 'm1' });
await tryPub('lastMsgID wrong', 't.a', { expect: { lastMsgID: 'nope' } });
await tryPub('stream name wrong', 't.a', { expect: { streamName: 'X' } });
// purge / delete with deny flags
try { await jsm.streams.purge('T'); console.log('purge ok'); } catch (e) { console.log('purge ERR', e.code, e.message); }
try { await jsm.streams.deleteMessage('T', 1); console.log('delete ok'); } catch (e) { console.log('delete ERR', e.code, e.message); }
// purge-to-seq on a fresh empty stream
await jsm.streams.add({ name: 'P', subjects: ['p.>'], storage: 'file' });
const pr = await jsm.streams.purge('P', { seq: 100 });
let pi = await jsm.streams.info('P'); console.log('after purge seq 100 on empty', pr, pi.state.first_seq, pi.state.last_seq);
await tryPub('publish into P after purge', 'p.x', {});
// update deny_purge after creation
try { const c = (await jsm.streams.info('P')).config; c.deny_purge = true; c.deny_delete = true; await jsm.streams.update('P', c); console.log('update deny flags OK', (await jsm.streams.info('P')).config.deny_purge); } catch (e) { console.log('update deny ERR', e.code, e.message); }
try { const c = (await jsm.streams.info('P')).config; c.deny_purge = false; await jsm.streams.update('P', c); console.log('update deny_purge back to false OK'); } catch (e) { console.log('update deny back ERR', e.code, e.message); }
// max_msg_size and big payloads
await jsm.streams.add({ name: 'B', subjects: ['b.>'], storage: 'file', max_msg_size: 1000 });
await tryPub('over max_msg_size', 'b.x', {}); 
try { await js.publish('b.y', new Uint8Array(1001)); } catch (e) { console.log('1001 in 1000 max_msg_size', e.code, e.message); }
try { await js.publish('b.y', new Uint8Array(990), { msgID: 'x'.repeat(20) }); console.log('990 + hdr OK'); } catch (e) { console.log('990+hdr in 1000', e.code, e.message); }
// fetch with max_bytes on 2.9
const oc = await js.consumers.get('T', { opt_start_seq: 1 });
const it = await oc.fetch({ max_messages: 100, max_bytes: 1024 * 1024, expires: 1000 });
let n = 0; for await (const m of it) { n++; } console.log('fetched with max_bytes', n);
await nc.close();
await nats.stop();
