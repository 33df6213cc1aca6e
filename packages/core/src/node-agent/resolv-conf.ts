// A pod's /etc/resolv.conf under dnsPolicy ClusterFirst (pkg/kubelet/network/dns/dns.go
// getPodDNS / formDNSSearchFitsLimits) and how a stub resolver walks it (glibc res_search: a name
// with fewer dots than ndots tries the search list first, then the name as given; a name ending
// in a dot is tried as is).

export const CLUSTER_DOMAIN = 'cluster.local';
/** kubeadm's clusterDNS: the tenth address of the default service range. */
export const CLUSTER_DNS = '10.96.0.10';

export interface ResolvConf {
  nameservers: string[];
  search: string[];
  ndots: number;
}

export function podResolvConf(namespace: string, clusterDNS = CLUSTER_DNS, clusterDomain = CLUSTER_DOMAIN): ResolvConf {
  return { nameservers: [clusterDNS], search: [`${namespace}.svc.${clusterDomain}`, `svc.${clusterDomain}`, clusterDomain], ndots: 5 };
}

/** The file as the kubelet writes it. */
export function renderResolvConf(conf: ResolvConf): string {
  return `search ${conf.search.join(' ')}\n${conf.nameservers.map((n) => `nameserver ${n}\n`).join('')}options ndots:${conf.ndots}\n`;
}

/** The fully qualified names a lookup of `name` tries, in order. */
export function resolutionCandidates(name: string, conf: ResolvConf): string[] {
  if (name.endsWith('.')) return [name];
  const dots = name.split('.').length - 1;
  const searched = conf.search.map((s) => `${name}.${s}.`);
  return dots >= conf.ndots ? [`${name}.`, ...searched] : [...searched, `${name}.`];
}
