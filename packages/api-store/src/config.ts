// Flags, named like kube-apiserver's where kube-apiserver has them.
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import { parseGoDuration } from '@kubemu/core';

export interface ApiStoreConfig {
  natsUrl: string;
  bindAddress: string;
  securePort: number;
  tokenFile: string;
  /** Where the self-signed CA and serving certificate live when no --tls-cert-file is given. */
  certDir: string;
  tlsCertFile?: string;
  tlsPrivateKeyFile?: string;
  serviceClusterIPRange: string;
  serviceNodePortRange: string;
  /** The address written into the default/kubernetes Endpoints. */
  advertiseAddress: string;
  instanceId: string;
  watchWindow: number;
  storage: 'file' | 'memory';
  /** Seed for allocation randomness; absent → from the OS. */
  randomSeed?: number;
  /** --event-ttl: events not written for this long are deleted. */
  eventTtlMs: number;
}

export const USAGE = `kubemu-api-store: kube-apiserver + etcd over the kubemu event log

  --nats URL                          NATS server (default nats://127.0.0.1:4222)
  --bind-address IP                   listen address (default 127.0.0.1)
  --secure-port N                     listen port; 0 picks a free one (default 6443)
  --token-file PATH                   bearer token; created with a random token if missing (required)
  --tls-cert-file PATH                serving certificate (PEM, with intermediates)
  --tls-private-key-file PATH         its private key (PEM)
  --cert-dir DIR                      without --tls-cert-file: a self-signed CA and serving certificate
                                      are made here once and reused (default: the token file's folder)
  --service-cluster-ip-range CIDR     default 10.96.0.0/12
  --service-node-port-range RANGE     default 30000-32767
  --advertise-address IP              address in default/kubernetes Endpoints (default: bind address)
  --instance-id ID                    names this writer in the log (default: random)
  --watch-window N                    events a watch can resume from (default 10000)
  --storage file|memory               JetStream storage for new streams (default file)
  --random-seed N                     seed allocation randomness (for reproducible runs)
  --event-ttl DURATION                how long an event is kept after its last write (default 1h0m0s)
`;

export function parseConfig(argv: string[], randomId: () => string): ApiStoreConfig {
  const { values } = parseArgs({
    args: argv,
    options: {
      nats: { type: 'string', default: 'nats://127.0.0.1:4222' },
      'bind-address': { type: 'string', default: '127.0.0.1' },
      'secure-port': { type: 'string', default: '6443' },
      'token-file': { type: 'string' },
      'tls-cert-file': { type: 'string' },
      'tls-private-key-file': { type: 'string' },
      'cert-dir': { type: 'string' },
      'service-cluster-ip-range': { type: 'string', default: '10.96.0.0/12' },
      'service-node-port-range': { type: 'string', default: '30000-32767' },
      'advertise-address': { type: 'string' },
      'instance-id': { type: 'string' },
      'watch-window': { type: 'string', default: '10000' },
      storage: { type: 'string', default: 'file' },
      'random-seed': { type: 'string' },
      'event-ttl': { type: 'string', default: '1h0m0s' },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(USAGE);
    process.exit(0);
  }
  if (!values['token-file']) throw new Error('--token-file is required');
  const port = Number(values['secure-port']);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--secure-port ${values['secure-port']}: not a port`);
  const watchWindow = Number(values['watch-window']);
  if (!Number.isInteger(watchWindow) || watchWindow < 1) throw new Error(`--watch-window ${values['watch-window']}: not a positive integer`);
  if ((values['tls-cert-file'] === undefined) !== (values['tls-private-key-file'] === undefined)) {
    throw new Error('--tls-cert-file and --tls-private-key-file go together');
  }
  if (values.storage !== 'file' && values.storage !== 'memory') throw new Error(`--storage ${values.storage}: must be file or memory`);
  const eventTtlMs = parseGoDuration(values['event-ttl']!);
  if (eventTtlMs === undefined || eventTtlMs <= 0) throw new Error(`--event-ttl ${values['event-ttl']}: not a positive duration`);
  const config: ApiStoreConfig = {
    natsUrl: values.nats!,
    bindAddress: values['bind-address']!,
    securePort: port,
    tokenFile: values['token-file'],
    certDir: values['cert-dir'] ?? dirname(values['token-file']),
    serviceClusterIPRange: values['service-cluster-ip-range']!,
    serviceNodePortRange: values['service-node-port-range']!,
    advertiseAddress: values['advertise-address'] ?? values['bind-address']!,
    instanceId: values['instance-id'] ?? randomId(),
    watchWindow,
    storage: values.storage,
    eventTtlMs,
  };
  if (values['tls-cert-file'] !== undefined) config.tlsCertFile = values['tls-cert-file'];
  if (values['tls-private-key-file'] !== undefined) config.tlsPrivateKeyFile = values['tls-private-key-file'];
  if (values['random-seed'] !== undefined) config.randomSeed = Number(values['random-seed']);
  return config;
}
