import { describe, expect, it } from 'vitest';
import { errorString, type FieldError } from '../api/field-errors.js';
import type { Pod, PodSpec } from '../api/types.js';
import { setDefaultsPod } from './defaults.js';
import { validatePod, validatePodUpdate } from './validation.js';

const lines = (errs: FieldError[]): string[] => errs.map(errorString);
const pod = (spec: PodSpec, name = 'web-0'): Pod => setDefaultsPod({ metadata: { name, namespace: 'default' }, spec });
const RFC1123_LABEL =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";

describe('validatePod', () => {
  it.each<[string, Pod, string[]]>([
    ['a valid Pod', pod({ containers: [{ name: 'web', image: 'nginx', ports: [{ name: 'http', containerPort: 80 }] }] }), []],
    ['containers required', pod({}), ['spec.containers: Required value']],
    [
      'container name and image required',
      pod({ containers: [{}] }),
      ['spec.containers[0].name: Required value', 'spec.containers[0].image: Required value'],
    ],
    ['bad container name', pod({ containers: [{ name: 'Web', image: 'nginx' }] }), [`spec.containers[0].name: Invalid value: "Web": ${RFC1123_LABEL}`]],
    [
      'duplicate container name',
      pod({ containers: [{ name: 'web', image: 'nginx' }, { name: 'web', image: 'nginx' }] }),
      ['spec.containers[1].name: Duplicate value: "web"'],
    ],
    [
      'containerPort range and presence',
      pod({ containers: [{ name: 'web', image: 'nginx', ports: [{ containerPort: 70000 }, { containerPort: 0 }] }] }),
      [
        'spec.containers[0].ports[0].containerPort: Invalid value: 70000: must be between 1 and 65535, inclusive',
        'spec.containers[0].ports[1].containerPort: Required value',
      ],
    ],
    [
      'container port name and protocol',
      pod({ containers: [{ name: 'web', image: 'nginx', ports: [{ name: 'web_http', containerPort: 80, protocol: 'HTTP' }, { name: 'a', containerPort: 81 }, { name: 'a', containerPort: 82 }] }] }),
      [
        'spec.containers[0].ports[0].name: Invalid value: "web_http": must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)',
        'spec.containers[0].ports[0].protocol: Unsupported value: "HTTP": supported values: "SCTP", "TCP", "UDP"',
        'spec.containers[0].ports[2].name: Duplicate value: "a"',
      ],
    ],
    [
      'hostPort conflict across containers',
      pod({
        containers: [
          { name: 'a', image: 'x', ports: [{ containerPort: 80, hostPort: 8080 }] },
          { name: 'b', image: 'x', ports: [{ containerPort: 81, hostPort: 8080 }] },
        ],
      }),
      ['spec.containers[1].ports[0].hostPort: Duplicate value: "TCP//8080"'],
    ],
    [
      'restartPolicy and dnsPolicy values (listed in upstream order, unsorted)',
      pod({ restartPolicy: 'Sometimes', dnsPolicy: 'Cluster', containers: [{ name: 'web', image: 'nginx' }] }),
      [
        'spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"',
        'spec.dnsPolicy: Unsupported value: "Cluster": supported values: "ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"',
      ],
    ],
    [
      'imagePullPolicy value',
      pod({ containers: [{ name: 'web', image: 'nginx', imagePullPolicy: 'Sometimes' }] }),
      ['spec.containers[0].imagePullPolicy: Unsupported value: "Sometimes": supported values: "Always", "IfNotPresent", "Never"'],
    ],
    [
      'env names',
      pod({ containers: [{ name: 'web', image: 'nginx', env: [{ value: 'x' }, { name: 'A=B' }] }] }),
      [
        'spec.containers[0].env[0].name: Required value',
        "spec.containers[0].env[1].name: Invalid value: \"A=B\": a valid environment variable name must consist only of printable ASCII characters other than '='",
      ],
    ],
    [
      'probes',
      pod({
        containers: [
          {
            name: 'web',
            image: 'nginx',
            readinessProbe: { tcpSocket: { port: 'HTTP' } },
            livenessProbe: { exec: { command: [] }, successThreshold: 2 },
          },
        ],
      }),
      [
        'spec.containers[0].livenessProbe.exec.command: Required value',
        'spec.containers[0].livenessProbe.successThreshold: Invalid value: 2: must be 1',
        'spec.containers[0].readinessProbe.tcpSocket.port: Invalid value: "HTTP": must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)',
        'spec.containers[0].readinessProbe.tcpSocket.port: Invalid value: "HTTP": must contain at least one letter (a-z)',
      ],
    ],
    ['a probe without a handler', pod({ containers: [{ name: 'web', image: 'nginx', readinessProbe: {} }] }), ['spec.containers[0].readinessProbe: Required value: must specify a handler type']],
    [
      'hostname, subdomain and nodeName formats',
      pod({ hostname: 'Web', subdomain: 'a.b', nodeName: 'Node_1', containers: [{ name: 'web', image: 'nginx' }] }),
      [
        "spec.nodeName: Invalid value: \"Node_1\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
        `spec.hostname: Invalid value: "Web": ${RFC1123_LABEL}`,
        'spec.subdomain: Invalid value: "a.b": must not contain dots',
      ],
    ],
    [
      'image whitespace (Pods only)',
      pod({ containers: [{ name: 'web', image: ' nginx' }] }),
      ['spec.containers[0].image: Invalid value: " nginx": must not have leading or trailing whitespace'],
    ],
    [
      'hostNetwork: hostPort must equal containerPort',
      pod({ hostNetwork: true, containers: [{ name: 'web', image: 'nginx', ports: [{ containerPort: 80, hostPort: 8080 }] }] }),
      ['spec.containers[0].ports[0].hostPort: Invalid value: 8080: must match `containerPort` when `hostNetwork` is true'],
    ],
    ['Pod names are DNS subdomains', pod({ containers: [{ name: 'web', image: 'nginx' }] }, 'web.v1-0'), []],
  ])('%s', (_name, input, want) => {
    expect(lines(validatePod(input))).toEqual(want);
  });

  it('an undefaulted Pod reports the fields defaulting fills', () => {
    expect(lines(validatePod({ metadata: { name: 'p', namespace: 'default' }, spec: { containers: [{ name: 'c', image: 'x' }] } }))).toEqual([
      'spec.terminationGracePeriodSeconds: Required value',
      'spec.containers[0].imagePullPolicy: Required value',
      'spec.restartPolicy: Required value',
      'spec.dnsPolicy: Required value',
    ]);
  });
});

describe('validatePodUpdate', () => {
  const stored: Pod = { ...pod({ containers: [{ name: 'web', image: 'nginx:1.26' }] }), metadata: { name: 'web-0', namespace: 'default', uid: 'u', resourceVersion: '3' } };

  it('allows a new image', () => {
    const next = structuredClone(stored);
    next.spec!.containers![0]!.image = 'nginx:1.27';
    expect(lines(validatePodUpdate(next, stored))).toEqual([]);
  });

  it('forbids other spec changes', () => {
    const next = structuredClone(stored);
    next.spec!.nodeName = 'node-1';
    const errs = lines(validatePodUpdate(next, stored));
    expect(errs).toHaveLength(1);
    expect(errs[0]).toMatch(
      /^spec: Forbidden: pod updates may not change fields other than `spec.containers\[\*\].image`,`spec.initContainers\[\*\].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` \(only additions to existing tolerations\),`spec.terminationGracePeriodSeconds` \(allow it to be set to 1 if it was previously negative\)\n/,
    );
    expect(errs[0]).toContain('+ \tnodeName: "node-1",');
  });

  it('forbids adding containers', () => {
    const next = structuredClone(stored);
    next.spec!.containers!.push({ name: 'side', image: 'busybox', imagePullPolicy: 'IfNotPresent' });
    expect(lines(validatePodUpdate(next, stored))).toEqual(['spec.containers: Forbidden: pod updates may not add or remove containers']);
  });
});
