// KubeProxyConfiguration (kubeproxy.config.k8s.io/v1alpha1), the subset kubemu's proxy agent honours:
// defaults from pkg/proxy/apis/config/v1alpha1/defaults.go (see the scheme's after/v1alpha1.yaml
// testdata), conversion to the internal form (clusterCIDR split on commas into
// detectLocal.clusterCIDRs, iptables.syncPeriod/minSyncPeriod to the top-level periods) and the
// errors of pkg/proxy/apis/config/validation/validation.go, worded and pathed as kube-proxy words them.
import { invalid, notSupportedInOrder, aggregateMessage, goStringSlice, type FieldError } from '../api/field-errors.js';
import { parseCIDR } from '../allocation/ip-range.js';

export const KUBE_PROXY_CONFIG_API_VERSION = 'kubeproxy.config.k8s.io/v1alpha1';
export const KUBE_PROXY_CONFIG_KIND = 'KubeProxyConfiguration';

export type LocalMode = 'ClusterCIDR' | 'NodeCIDR' | 'BridgeInterface' | 'InterfaceNamePrefix';

/** The user-side document (v1alpha1 field names); every field optional. */
export interface KubeProxyConfigurationV1Alpha1 {
  apiVersion?: string;
  kind?: string;
  clusterCIDR?: string;
  detectLocalMode?: string;
  detectLocal?: { bridgeInterface?: string; interfaceNamePrefix?: string };
  iptables?: {
    masqueradeAll?: boolean;
    masqueradeBit?: number;
    localhostNodePorts?: boolean;
    syncPeriod?: string;
    minSyncPeriod?: string;
  };
  nodePortAddresses?: string[] | null;
  mode?: string;
  /** component-base LoggingConfiguration; kube-proxy's klog verbosity (-v). */
  logging?: { format?: string; verbosity?: number };
}

/** The defaulted, validated configuration the renderer reads. Periods in milliseconds. */
export interface ProxyConfig {
  clusterCIDRs: string[];
  detectLocalMode: LocalMode;
  bridgeInterface: string;
  interfaceNamePrefix: string;
  masqueradeAll: boolean;
  masqueradeBit: number;
  localhostNodePorts: boolean;
  syncPeriodMs: number;
  minSyncPeriodMs: number;
  nodePortAddresses: string[];
  /** logging.verbosity: kube-proxy's klog.V(n) lines with n at most this are written (default 0). */
  verbosity: number;
}

export const DEFAULT_MASQUERADE_BIT = 14;
export const DEFAULT_SYNC_PERIOD_MS = 30_000;
export const DEFAULT_MIN_SYNC_PERIOD_MS = 1_000;
/** kubeproxyconfig.NodePortAddressesPrimary */
export const NODE_PORT_ADDRESSES_PRIMARY = 'primary';

export function defaultProxyConfig(overrides: Partial<ProxyConfig> = {}): ProxyConfig {
  return {
    clusterCIDRs: [],
    detectLocalMode: 'ClusterCIDR',
    bridgeInterface: '',
    interfaceNamePrefix: '',
    masqueradeAll: false,
    masqueradeBit: DEFAULT_MASQUERADE_BIT,
    localhostNodePorts: true,
    syncPeriodMs: DEFAULT_SYNC_PERIOD_MS,
    minSyncPeriodMs: DEFAULT_MIN_SYNC_PERIOD_MS,
    nodePortAddresses: [],
    verbosity: 0,
    ...overrides,
  };
}

/**
 * proxier.go NewProxier: `fmt.Sprintf("%#08x", 1<<masqueradeBit)`. Go zero-pads the digits to the
 * width and then prepends "0x", so bit 14 is "0x00004000" (kube-proxy logs `mark="0x00004000"`);
 * iptables-save prints it back as 0x4000. Upstream's tests hard-code "0x4000" in their fake proxier.
 */
export function masqueradeMark(bit: number): string {
  return `0x${(2 ** bit).toString(16).padStart(8, '0')}`;
}

const UNIT_NS: Record<string, number> = { ns: 1, us: 1e3, 'µs': 1e3, 'μs': 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9 };

/** time.ParseDuration, returning milliseconds; undefined when Go would reject the text. */
export function parseGoDuration(s: string): number | undefined {
  if (s === '0') return 0;
  let rest = s;
  let sign = 1;
  if (rest.startsWith('-') || rest.startsWith('+')) {
    if (rest[0] === '-') sign = -1;
    rest = rest.slice(1);
  }
  if (rest === '') return undefined;
  let totalNs = 0;
  while (rest !== '') {
    const m = /^(\d*)(?:\.(\d*))?(ns|us|µs|μs|ms|s|m|h)/.exec(rest);
    if (m === null || (m[1] === '' && (m[2] === undefined || m[2] === ''))) return undefined;
    const whole = m[1] === '' ? 0 : Number(m[1]);
    const frac = m[2] === undefined || m[2] === '' ? 0 : Number(`0.${m[2]}`);
    totalNs += (whole + frac) * UNIT_NS[m[3]!]!;
    rest = rest.slice(m[0].length);
  }
  return (sign * totalNs) / 1e6;
}

/** time.Duration.String() of a whole number of milliseconds. */
export function formatGoDuration(ms: number): string {
  if (ms === 0) return '0s';
  const neg = ms < 0;
  let v = Math.abs(ms);
  let out: string;
  if (v < 1000) {
    out = `${v}ms`;
  } else {
    const h = Math.floor(v / 3_600_000);
    v -= h * 3_600_000;
    const m = Math.floor(v / 60_000);
    v -= m * 60_000;
    const sec = v / 1000;
    const secText = `${Number.isInteger(sec) ? sec : sec.toFixed(3).replace(/0+$/, '')}s`;
    out = h > 0 ? `${h}h${m}m${secText}` : m > 0 ? `${m}m${secText}` : secText;
  }
  return neg ? `-${out}` : out;
}

export type ProxyConfigResult = { ok: true; config: ProxyConfig } | { ok: false; errors: FieldError[]; message: string };

const ROOT = 'KubeProxyConfiguration';
const VALID_LOCAL_MODES = ['ClusterCIDR', 'NodeCIDR', 'BridgeInterface', 'InterfaceNamePrefix', ''];

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Decode, default and validate a KubeProxyConfiguration document (already parsed from YAML/JSON).
 * `undefined` means "no --config": the defaults.
 */
export function parseKubeProxyConfiguration(doc: unknown): ProxyConfigResult {
  if (doc === undefined || doc === null) return { ok: true, config: defaultProxyConfig() };
  if (!isRecord(doc)) return decodeFailure('couldn\'t get version/kind; json parse error: not an object');
  const cfg = doc as KubeProxyConfigurationV1Alpha1;
  if (cfg.apiVersion !== KUBE_PROXY_CONFIG_API_VERSION || cfg.kind !== KUBE_PROXY_CONFIG_KIND) {
    // runtime.Decode via the kube-proxy scheme, which only knows this one kind and version.
    return decodeFailure(`no kind ${JSON.stringify(cfg.kind ?? '')} is registered for version ${JSON.stringify(cfg.apiVersion ?? '')}`);
  }
  const ipt = cfg.iptables ?? {};
  const errors: FieldError[] = [];

  // Defaults (v1alpha1 defaults.go) and conversion to the internal config.
  const masqueradeBit = ipt.masqueradeBit ?? DEFAULT_MASQUERADE_BIT;
  const syncText = ipt.syncPeriod ?? '30s';
  const minSyncText = ipt.minSyncPeriod ?? '1s';
  const syncPeriodMs = parseGoDuration(syncText);
  const minSyncPeriodMs = parseGoDuration(minSyncText);
  if (syncPeriodMs === undefined) return decodeFailure(`time: invalid duration ${JSON.stringify(syncText)}`);
  if (minSyncPeriodMs === undefined) return decodeFailure(`time: invalid duration ${JSON.stringify(minSyncText)}`);
  const clusterCIDRs = cfg.clusterCIDR === undefined || cfg.clusterCIDR === '' ? [] : cfg.clusterCIDR.split(',');
  const modeText = cfg.detectLocalMode ?? '';
  const nodePortAddresses = cfg.nodePortAddresses ?? [];
  const verbosity = cfg.logging?.verbosity ?? 0;
  // VerbosityLevel is a uint32: anything else fails to decode.
  if (typeof verbosity !== 'number' || !Number.isInteger(verbosity) || verbosity < 0 || verbosity > 0xffffffff) {
    return decodeFailure(`json: cannot unmarshal ${JSON.stringify(verbosity)} into Go struct field LoggingConfiguration.logging.verbosity of type config.VerbosityLevel`);
  }

  // validation.go, in its order.
  if (!Number.isInteger(masqueradeBit) || masqueradeBit < 0 || masqueradeBit > 31) {
    errors.push(invalid(`${ROOT}.KubeProxyIPTablesConfiguration.MasqueradeBit`, masqueradeBit, 'must be within the range [0, 31]'));
  }
  if (syncPeriodMs <= 0) {
    errors.push(invalid(`${ROOT}.SyncPeriod`, syncText, 'must be greater than 0', formatGoDuration(syncPeriodMs)));
  }
  if (minSyncPeriodMs < 0) {
    errors.push(invalid(`${ROOT}.MinSyncPeriod`, minSyncText, 'must be greater than or equal to 0', formatGoDuration(minSyncPeriodMs)));
  }
  if (minSyncPeriodMs > syncPeriodMs) {
    errors.push(invalid(`${ROOT}.SyncPeriod`, minSyncText, `must be greater than or equal to ${ROOT}.MinSyncPeriod`, formatGoDuration(minSyncPeriodMs)));
  }
  nodePortAddresses.forEach((a, i) => {
    if (a === NODE_PORT_ADDRESSES_PRIMARY) {
      if (i !== 0 || nodePortAddresses.length !== 1) {
        errors.push(invalid(`${ROOT}.NodePortAddresses[${i}]`, a, "can't use both 'primary' and CIDRs"));
      }
      return;
    }
    if (parseCIDR(a) === undefined) errors.push(invalid(`${ROOT}.NodePortAddresses[${i}]`, a, 'must be a valid CIDR'));
  });
  if (!VALID_LOCAL_MODES.includes(modeText)) {
    errors.push(notSupportedInOrder(`${ROOT}.DetectLocalMode`, modeText, VALID_LOCAL_MODES));
  }
  const detectLocalMode = (modeText === '' ? 'ClusterCIDR' : modeText) as LocalMode;
  const bridgeInterface = cfg.detectLocal?.bridgeInterface ?? '';
  const interfaceNamePrefix = cfg.detectLocal?.interfaceNamePrefix ?? '';
  if (detectLocalMode === 'BridgeInterface' && bridgeInterface === '') {
    errors.push(invalid(`${ROOT}.DetectLocalConfiguration.InterfaceName`, '', 'must not be empty'));
  }
  if (detectLocalMode === 'InterfaceNamePrefix' && interfaceNamePrefix === '') {
    errors.push(invalid(`${ROOT}.DetectLocalConfiguration.InterfacePrefix`, '', 'must not be empty'));
  }
  if (detectLocalMode === 'ClusterCIDR' && clusterCIDRs.length > 0) {
    errors.push(...validateDualStackCIDRStrings(clusterCIDRs, `${ROOT}.DetectLocalConfiguration.ClusterCIDRs`));
  }
  if (errors.length > 0) return { ok: false, errors, message: aggregateMessage(errors) };
  return {
    ok: true,
    config: {
      clusterCIDRs,
      detectLocalMode,
      bridgeInterface,
      interfaceNamePrefix,
      masqueradeAll: ipt.masqueradeAll ?? false,
      masqueradeBit,
      localhostNodePorts: ipt.localhostNodePorts ?? true,
      syncPeriodMs,
      minSyncPeriodMs,
      nodePortAddresses,
      verbosity,
    },
  };
}

const DUAL_STACK_DETAIL = 'must be a either a single CIDR or dual-stack pair of CIDRs (e.g. [10.100.0.0/16, fde4:8dba:82e1::/48]';

function validateDualStackCIDRStrings(cidrs: string[], path: string): FieldError[] {
  if (cidrs.length > 2) return [invalid(path, cidrs, DUAL_STACK_DETAIL, goStringSlice(cidrs))];
  const errors: FieldError[] = [];
  const parsed = cidrs.map((c, i) => {
    const p = parseCIDR(c);
    if (p === undefined) errors.push(invalid(`${path}[${i}]`, c, 'must be a valid CIDR block (e.g. 10.100.0.0/16 or fde4:8dba:82e1::/48)'));
    return p;
  });
  if (cidrs.length === 2 && parsed[0] !== undefined && parsed[1] !== undefined && parsed[0].family === parsed[1].family) {
    errors.push(invalid(path, cidrs, DUAL_STACK_DETAIL, goStringSlice(cidrs)));
  }
  return errors;
}

function decodeFailure(detail: string): ProxyConfigResult {
  return { ok: false, errors: [], message: `failed to decode: ${detail}` };
}
