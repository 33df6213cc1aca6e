import { describe, expect, it } from 'vitest';
import { aggregateMessage, errorString, type FieldError } from '../api/field-errors.js';
import type { Service, ServiceSpec } from '../api/types.js';
import { setDefaultsService } from './defaults.js';
import { validateService, validateServiceUpdate } from './validation.js';

const lines = (errs: FieldError[]): string[] => errs.map(errorString);

/**
 * A Service as the API receives it, defaulted, with clusterIPs following clusterIP as the
 * registry's normalizeClusterIPs leaves it on create: what validation sees.
 */
function svc(spec: ServiceSpec, name = 'web'): Service {
  const out = setDefaultsService({ apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'default' }, spec: { selector: { app: 'web' }, ...spec } });
  if (out.spec?.clusterIP && out.spec.clusterIPs === undefined) out.spec.clusterIPs = [out.spec.clusterIP];
  return out;
}

const RFC1123_LABEL =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";

describe('validateService: the situations of KUBERNETES.md §c', () => {
  it.each<[string, Service, string[]]>([
    ['a valid ClusterIP Service', svc({ ports: [{ port: 80 }] }), []],
    ['a valid headless Service without ports', svc({ clusterIP: 'None' }), []],
    ['a valid ExternalName Service without ports', svc({ type: 'ExternalName', externalName: 'db.example.com.' }), []],
    [
      'same nodePort twice in one Service (same protocol)',
      svc({ type: 'NodePort', ports: [{ name: 'a', port: 80, nodePort: 30080 }, { name: 'b', port: 81, nodePort: 30080 }] }),
      ['spec.ports[1].nodePort: Duplicate value: 30080'],
    ],
    [
      'one nodePort for the same port over TCP and UDP is not a duplicate',
      svc({ type: 'NodePort', ports: [{ name: 'dns', port: 53, nodePort: 30053 }, { name: 'dns-udp', port: 53, protocol: 'UDP', nodePort: 30053 }] }),
      [],
    ],
    ['duplicate port name', svc({ ports: [{ name: 'http', port: 80 }, { name: 'http', port: 81 }] }), ['spec.ports[1].name: Duplicate value: "http"']],
    ['missing name when >1 port', svc({ ports: [{ port: 80 }, { port: 81 }] }), ['spec.ports[0].name: Required value', 'spec.ports[1].name: Required value']],
    ['bad port name', svc({ ports: [{ name: 'HTTP', port: 80 }] }), [`spec.ports[0].name: Invalid value: "HTTP": ${RFC1123_LABEL}`]],
    ['invalid protocol', svc({ ports: [{ port: 80, protocol: 'HTTP' }] }), ['spec.ports[0].protocol: Unsupported value: "HTTP": supported values: "SCTP", "TCP", "UDP"']],
    ['port out of range', svc({ ports: [{ port: 70000, targetPort: 8080 }] }), ['spec.ports[0].port: Invalid value: 70000: must be between 1 and 65535, inclusive']],
    [
      'port 0: targetPort defaults to it and fails too',
      svc({ ports: [{ port: 0 }] }),
      ['spec.ports[0].port: Invalid value: 0: must be between 1 and 65535, inclusive', 'spec.ports[0].targetPort: Invalid value: 0: must be between 1 and 65535, inclusive'],
    ],
    ['targetPort int bad', svc({ ports: [{ port: 80, targetPort: 65536 }] }), ['spec.ports[0].targetPort: Invalid value: 65536: must be between 1 and 65535, inclusive']],
    [
      'targetPort name bad',
      svc({ ports: [{ port: 80, targetPort: 'my_port' }] }),
      ['spec.ports[0].targetPort: Invalid value: "my_port": must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)'],
    ],
    [
      'targetPort name: every IANA_SVC_NAME rule',
      svc({ ports: [{ name: 'a', port: 80, targetPort: 'a-very-long--name-' }, { name: 'b', port: 81, targetPort: '8080' }] }),
      [
        'spec.ports[0].targetPort: Invalid value: "a-very-long--name-": must be no more than 15 characters',
        'spec.ports[0].targetPort: Invalid value: "a-very-long--name-": must not contain consecutive hyphens',
        'spec.ports[0].targetPort: Invalid value: "a-very-long--name-": must not begin or end with a hyphen',
        'spec.ports[1].targetPort: Invalid value: "8080": must contain at least one letter (a-z)',
      ],
    ],
    ['no ports (non-headless, non-ExternalName)', svc({}), ['spec.ports: Required value']],
    ['ExternalName without externalName', svc({ type: 'ExternalName' }), ['spec.externalName: Required value']],
    [
      'ExternalName not DNS-1123 (one trailing dot stripped)',
      svc({ type: 'ExternalName', externalName: 'Bad_Name.' }),
      [
        "spec.externalName: Invalid value: \"Bad_Name\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
      ],
    ],
    [
      'ExternalName with clusterIP',
      svc({ type: 'ExternalName', externalName: 'db.example.com', clusterIP: '10.96.0.5' }),
      ['spec.clusterIPs: Forbidden: may not be set for ExternalName services'],
    ],
    [
      'ExternalName with IP family fields',
      svc({ type: 'ExternalName', externalName: 'db.example.com', ipFamilies: ['IPv4'], ipFamilyPolicy: 'SingleStack' }),
      ['spec.ipFamilies: Forbidden: may not be set for ExternalName services', 'spec.ipFamilyPolicy: Forbidden: may not be set for ExternalName services'],
    ],
    [
      'bad Service name (DNS-1035: must start with a letter)',
      svc({ ports: [{ port: 80 }] }, 'My_Svc'),
      [
        "metadata.name: Invalid value: \"My_Svc\": a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')",
      ],
    ],
    [
      'clusterIP not an IP',
      svc({ ports: [{ port: 80 }], clusterIP: 'abc' }),
      ['spec.clusterIPs[0]: Invalid value: "abc": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)'],
    ],
    [
      'clusterIP None on NodePort',
      svc({ type: 'NodePort', ports: [{ port: 80 }], clusterIP: 'None' }),
      ["spec.clusterIPs[0]: Invalid value: \"None\": may not be set to 'None' for NodePort services"],
    ],
    [
      'clusterIP None on LoadBalancer',
      svc({ type: 'LoadBalancer', ports: [{ port: 80 }], clusterIP: 'None' }),
      ["spec.clusterIPs[0]: Invalid value: \"None\": may not be set to 'None' for LoadBalancer services"],
    ],
    ['nodePort on ClusterIP type', svc({ ports: [{ port: 80, nodePort: 30080 }] }), ["spec.ports[0].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'"]],
    [
      'eTP on a non-external Service',
      svc({ ports: [{ port: 80 }], externalTrafficPolicy: 'Local' }),
      ['spec.externalTrafficPolicy: Invalid value: "Local": may only be set for externally-accessible services'],
    ],
    [
      'bad eTP value',
      svc({ type: 'NodePort', ports: [{ port: 80 }], externalTrafficPolicy: 'Foo' }),
      ['spec.externalTrafficPolicy: Unsupported value: "Foo": supported values: "Cluster", "Local"'],
    ],
    [
      'healthCheckNodePort without LB+Local',
      svc({ type: 'NodePort', ports: [{ port: 80 }], healthCheckNodePort: 30000 }),
      ["spec.healthCheckNodePort: Invalid value: 30000: may only be set when `type` is 'LoadBalancer' and `externalTrafficPolicy` is 'Local'"],
    ],
    ['LB + Local needs a healthCheckNodePort (allocated before validation)', svc({ type: 'LoadBalancer', ports: [{ port: 80 }], externalTrafficPolicy: 'Local' }), ['spec.healthCheckNodePort: Required value']],
    [
      'LB port 10250',
      svc({ type: 'LoadBalancer', ports: [{ port: 10250 }] }),
      ['spec.ports[0]: Invalid value: 10250: may not expose port 10250 externally since it is used by kubelet'],
    ],
    [
      'bad type',
      svc({ type: 'Foo', ports: [{ port: 80 }] }),
      ['spec.type: Unsupported value: "Foo": supported values: "ClusterIP", "ExternalName", "LoadBalancer", "NodePort"'],
    ],
    [
      'sourceRanges on non-LB',
      svc({ type: 'NodePort', ports: [{ port: 80 }], loadBalancerSourceRanges: ['10.0.0.0/8'] }),
      ["spec.LoadBalancerSourceRanges: Forbidden: may only be used when `type` is 'LoadBalancer'"],
    ],
    [
      'allocateLoadBalancerNodePorts on non-LB',
      svc({ type: 'NodePort', ports: [{ port: 80 }], allocateLoadBalancerNodePorts: false }),
      ["spec.allocateLoadBalancerNodePorts: Forbidden: may only be used when `type` is 'LoadBalancer'"],
    ],
  ])('%s', (_name, input, want) => {
    expect(lines(validateService(input))).toEqual(want);
  });

  it('sessionAffinityConfig with None: defaulting drops it, validation forbids it', () => {
    const raw: Service = {
      metadata: { name: 'web', namespace: 'default' },
      spec: {
        type: 'ClusterIP',
        ports: [{ port: 80, protocol: 'TCP', targetPort: 80 }],
        sessionAffinity: 'None',
        sessionAffinityConfig: { clientIP: { timeoutSeconds: 60 } },
        internalTrafficPolicy: 'Cluster',
      },
    };
    expect(lines(validateService(raw))).toEqual(['spec.sessionAffinityConfig: Forbidden: must not be set when session affinity is None']);
    expect(lines(validateService(setDefaultsService(raw)))).toEqual([]);
  });
});

describe('validateService: what upstream checks besides', () => {
  it.each<[string, Service, string[]]>([
    [
      'duplicate (protocol, port)',
      svc({ ports: [{ name: 'a', port: 80, targetPort: 8080 }, { name: 'b', port: 80, targetPort: 9090 }] }),
      [
        'spec.ports[1]: Duplicate value: core.ServicePort{Name:"", Protocol:"TCP", AppProtocol:(*string)(nil), Port:80, TargetPort:intstr.IntOrString{Type:0, IntVal:0, StrVal:""}, NodePort:0}',
      ],
    ],
    [
      'ClientIP timeout out of range',
      svc({ ports: [{ port: 80 }], sessionAffinity: 'ClientIP', sessionAffinityConfig: { clientIP: { timeoutSeconds: 86401 } } }),
      ['spec.sessionAffinityConfig.clientIP.timeoutSeconds: Invalid value: 86401: must be greater than 0 and less than 86400'],
    ],
    [
      'externalIPs: not an IP, then special ranges',
      svc({ ports: [{ port: 80 }], externalIPs: ['1.2.3', '127.0.0.1', '0.0.0.0', '169.254.1.1', '224.0.0.5', 'fe80::1', '203.0.113.9'] }),
      [
        'spec.externalIPs[0]: Invalid value: "1.2.3": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)',
        'spec.externalIPs[1]: Invalid value: "127.0.0.1": may not be in the loopback range (127.0.0.0/8, ::1/128)',
        'spec.externalIPs[2]: Invalid value: "0.0.0.0": may not be unspecified (0.0.0.0)',
        'spec.externalIPs[3]: Invalid value: "169.254.1.1": may not be in the link-local range (169.254.0.0/16, fe80::/10)',
        'spec.externalIPs[4]: Invalid value: "224.0.0.5": may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)',
        'spec.externalIPs[5]: Invalid value: "fe80::1": may not be in the link-local range (169.254.0.0/16, fe80::/10)',
      ],
    ],
    [
      'loadBalancerSourceRanges: CIDRs, space padding tolerated',
      svc({ type: 'LoadBalancer', ports: [{ port: 80 }], loadBalancerSourceRanges: [' 10.0.0.0/8 ', '10.0.0.0/33'] }),
      ['spec.LoadBalancerSourceRanges[1]: Invalid value: "10.0.0.0/33": must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)'],
    ],
    [
      'the source-ranges annotation',
      {
        ...svc({ ports: [{ port: 80 }] }),
        metadata: { name: 'web', namespace: 'default', annotations: { 'service.beta.kubernetes.io/load-balancer-source-ranges': '10.0.0.0/8, bad' } },
      },
      [
        "metadata.annotations[service.beta.kubernetes.io/load-balancer-source-ranges]: Forbidden: may only be used when `type` is 'LoadBalancer'",
        'metadata.annotations[service.beta.kubernetes.io/load-balancer-source-ranges]: Invalid value: "bad": must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)',
      ],
    ],
    [
      'ipFamilies and ipFamilyPolicy values',
      svc({ ports: [{ port: 80 }], ipFamilies: ['IPv5'], ipFamilyPolicy: 'DualStack' }),
      [
        'spec.ipFamilies[0]: Unsupported value: "IPv5": supported values: "IPv4", "IPv6"',
        'spec.ipFamilyPolicy: Unsupported value: "DualStack": supported values: "PreferDualStack", "RequireDualStack", "SingleStack"',
      ],
    ],
    [
      'clusterIP and clusterIPs out of step',
      svc({ ports: [{ port: 80 }], clusterIP: '10.96.0.5', clusterIPs: ['10.96.0.6'] }),
      ['spec.clusterIPs: Invalid value: []string{"10.96.0.6"}: first value must match `clusterIP`'],
    ],
    [
      'two clusterIPs of one family',
      svc({ ports: [{ port: 80 }], clusterIP: '10.96.0.5', clusterIPs: ['10.96.0.5', '10.96.0.6'], ipFamilyPolicy: 'PreferDualStack' }),
      ['spec.clusterIPs: Invalid value: []string{"10.96.0.5", "10.96.0.6"}: may specify no more than one IP for each IP family'],
    ],
    [
      'clusterIP of the wrong family',
      svc({ ports: [{ port: 80 }], clusterIP: 'fd00::5', ipFamilies: ['IPv4'] }),
      ['spec.clusterIPs[0]: Invalid value: "fd00::5": expected an IPv4 value as indicated by `ipFamilies[0]`'],
    ],
    [
      "'None' with a second clusterIP",
      svc({ ports: [{ port: 80 }], clusterIP: 'None', clusterIPs: ['None', '10.96.0.5'] }),
      ['spec.clusterIPs: Invalid value: []string{"None", "10.96.0.5"}: \'None\' must be the first and only value'],
    ],
    [
      'internalTrafficPolicy value',
      svc({ ports: [{ port: 80 }], internalTrafficPolicy: 'Foo' }),
      ['spec.internalTrafficPolicy: Unsupported value: "Foo": supported values: "Cluster", "Local"'],
    ],
    [
      'loadBalancerClass outside LoadBalancer, and its format',
      svc({ ports: [{ port: 80 }], loadBalancerClass: 'example.com/lb' }),
      ["spec.loadBalancerClass: Forbidden: may only be used when `type` is 'LoadBalancer'"],
    ],
    [
      'selector labels',
      svc({ ports: [{ port: 80 }], selector: { app: 'bad value' } }),
      [
        "spec.selector: Invalid value: \"bad value\": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')",
      ],
    ],
    [
      'trafficDistribution value',
      svc({ ports: [{ port: 80 }], trafficDistribution: 'Nearest' }),
      ['spec.trafficDistribution: Unsupported value: "Nearest": supported values: "PreferClose"'],
    ],
  ])('%s', (_name, input, want) => {
    expect(lines(validateService(input))).toEqual(want);
  });

  it('an undefaulted Service reports every required field, in ValidateService order', () => {
    const raw: Service = { metadata: { name: 'web', namespace: 'default' }, spec: { ports: [{ port: 80, targetPort: 80 }] } };
    expect(lines(validateService(raw))).toEqual([
      'spec.ports[0].protocol: Required value',
      'spec.sessionAffinity: Required value',
      'spec.type: Required value',
    ]);
    const lb: Service = { metadata: { name: 'web', namespace: 'default' }, spec: { type: 'LoadBalancer', sessionAffinity: 'None', ports: [{ port: 80, protocol: 'TCP', targetPort: 80 }] } };
    expect(lines(validateService(lb))).toEqual([
      'allocateLoadBalancerNodePorts: Required value',
      'spec.externalTrafficPolicy: Required value',
      'spec.internalTrafficPolicy: Required value',
    ]);
  });
});

describe('multi-error ordering', () => {
  it('follows ValidateService: metadata, ports, type-specific, per-port, clusterIPs, type, nodePorts, duplicates, ranges, eTP', () => {
    const input = svc(
      {
        type: 'ClusterIP',
        clusterIP: 'abc',
        externalTrafficPolicy: 'Local',
        loadBalancerSourceRanges: ['10.0.0.0/8'],
        ports: [
          { name: 'HTTP', port: 80, nodePort: 30080 },
          { name: 'HTTP', port: 80, protocol: 'HTTP' },
        ],
      },
      'My_Svc',
    );
    const want = [
      'metadata.name: Invalid value: "My_Svc": a DNS-1035 label must consist of lower case alphanumeric characters or \'-\', start with an alphabetic character, and end with an alphanumeric character (e.g. \'my-name\',  or \'abc-123\', regex used for validation is \'[a-z]([-a-z0-9]*[a-z0-9])?\')',
      `spec.ports[0].name: Invalid value: "HTTP": ${RFC1123_LABEL}`,
      `spec.ports[1].name: Invalid value: "HTTP": ${RFC1123_LABEL}`,
      'spec.ports[1].name: Duplicate value: "HTTP"',
      'spec.ports[1].protocol: Unsupported value: "HTTP": supported values: "SCTP", "TCP", "UDP"',
      'spec.clusterIPs[0]: Invalid value: "abc": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)',
      "spec.ports[0].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'",
      "spec.LoadBalancerSourceRanges: Forbidden: may only be used when `type` is 'LoadBalancer'",
      'spec.externalTrafficPolicy: Invalid value: "Local": may only be set for externally-accessible services',
    ];
    const errs = validateService(input);
    expect(lines(errs)).toEqual(want);
    expect(aggregateMessage(errs)).toBe(`[${want.join(', ')}]`);
  });
});

describe('validateServiceUpdate', () => {
  const stored: Service = {
    ...svc({ ports: [{ port: 80 }], clusterIP: '10.96.0.10', ipFamilyPolicy: 'SingleStack', ipFamilies: ['IPv4'] }),
    metadata: { name: 'web', namespace: 'default', uid: 'u1', resourceVersion: '7' },
  };
  const next = (spec: ServiceSpec): Service => ({ ...stored, spec: { ...stored.spec, ...spec } });

  it.each<[string, Service, string[]]>([
    ['unchanged', next({}), []],
    ['a new primary clusterIP', next({ clusterIP: '10.96.0.11', clusterIPs: ['10.96.0.11'] }), ['spec.clusterIPs[0]: Invalid value: []string{"10.96.0.11"}: may not change once set']],
    [
      'ClusterIP to headless',
      next({ clusterIP: 'None', clusterIPs: ['None'] }),
      ['spec.clusterIPs[0]: Invalid value: []string{"None"}: may not change once set'],
    ],
    [
      'releasing the primary clusterIP',
      next({ clusterIP: '', clusterIPs: [] }),
      ['spec.clusterIPs[0]: Invalid value: []string{}: primary clusterIP can not be unset'],
    ],
    ['changing the primary family', next({ ipFamilies: ['IPv6'] }), [
      'spec.ipFamilies[0]: Invalid value: []core.IPFamily{"IPv6"}: may not change once set',
      'spec.clusterIPs[0]: Invalid value: "10.96.0.10": expected an IPv6 value as indicated by `ipFamilies[0]`',
    ]],
    ['to ExternalName is not an IP change', next({ type: 'ExternalName', externalName: 'a.example.com', clusterIP: '', clusterIPs: undefined, ipFamilies: undefined, ipFamilyPolicy: undefined, internalTrafficPolicy: undefined }), []],
  ])('%s', (_name, input, want) => {
    expect(lines(validateServiceUpdate(input, stored))).toEqual(want);
  });

  it('healthCheckNodePort is immutable while still needed; loadBalancerClass too', () => {
    const lb: Service = {
      ...stored,
      spec: { ...stored.spec, type: 'LoadBalancer', externalTrafficPolicy: 'Local', healthCheckNodePort: 30100, allocateLoadBalancerNodePorts: true, loadBalancerClass: 'a.io/x' },
    };
    const changed: Service = { ...lb, spec: { ...lb.spec, healthCheckNodePort: 30101, loadBalancerClass: 'b.io/y' } };
    expect(lines(validateServiceUpdate(changed, lb))).toEqual([
      'spec.loadBalancerClass: Invalid value: "b.io/y": may not change once set',
      'spec.healthCheckNodePort: Forbidden: field is immutable',
    ]);
  });

  it('metadata identity is checked first', () => {
    const renamed: Service = { ...stored, metadata: { ...stored.metadata, uid: 'u2' } };
    expect(lines(validateServiceUpdate(renamed, stored))).toEqual(['metadata.uid: Invalid value: "u2": field is immutable']);
  });
});
