import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  objectSubject,
  objectSubjectFilter,
  parseObjectSubject,
  parseStatusSubject,
  statusSubject,
  statusSubjectFilter,
  SubjectError,
} from './subjects.js';

describe('object subjects', () => {
  it.each([
    [['services', 'default', 'my-nginx'], 'kubemu.obj.services.default.my-nginx'],
    [['endpointslices', 'kube-system', 'kube-dns-abc12'], 'kubemu.obj.endpointslices.kube-system.kube-dns-abc12'],
    [['nodes', '', 'node-1.example.com'], 'kubemu.obj.nodes._.node-1~example~com'],
    [['namespaces', '', 'default'], 'kubemu.obj.namespaces._.default'],
    [['leases', 'kube-node-lease', 'node-1'], 'kubemu.obj.leases.kube-node-lease.node-1'],
  ] as const)('%j → %s and back', ([logKind, namespace, name], subject) => {
    expect(objectSubject(logKind, namespace, name)).toBe(subject);
    expect(parseObjectSubject(subject)).toEqual({ logKind, namespace, name });
  });

  it('round-trips any Kubernetes-shaped name and namespace', () => {
    const dnsSubdomain = fc.stringMatching(/^[a-z0-9]([-a-z0-9.]{0,60}[a-z0-9])?$/);
    const dnsLabel = fc.stringMatching(/^[a-z0-9]([-a-z0-9]{0,30}[a-z0-9])?$/);
    fc.assert(
      fc.property(fc.constantFrom('services', 'pods', 'nodes'), fc.oneof(fc.constant(''), dnsLabel), dnsSubdomain, (logKind, namespace, name) => {
        const subject = objectSubject(logKind, namespace, name);
        expect(subject.split('.')).toHaveLength(5);
        expect(parseObjectSubject(subject)).toEqual({ logKind, namespace, name });
      }),
    );
  });

  it.each([
    [['Services', 'default', 'a'], 'log kind "Services" must be lowercase letters and digits, like "services"'],
    [['services', 'default', ''], 'name must not be empty'],
    [['services', 'default', 'a*'], `name "a*" cannot be carried in a subject: only printable ASCII without '*', '>' and '~'`],
    [['services', 'default', 'a>b'], `name "a>b" cannot be carried in a subject: only printable ASCII without '*', '>' and '~'`],
    [['services', 'default', 'a~b'], `name "a~b" cannot be carried in a subject: only printable ASCII without '*', '>' and '~'`],
    [['services', 'default', 'a b'], `name "a b" cannot be carried in a subject: only printable ASCII without '*', '>' and '~'`],
    [['services', 'default', 'ü'], `name "ü" cannot be carried in a subject: only printable ASCII without '*', '>' and '~'`],
    [['services', '_', 'a'], 'namespace "_" is reserved for cluster-scoped objects'],
    [['services', 'default', 'x'.repeat(254)], 'name is 254 characters; the limit is 253'],
  ] as const)('refuses %j', ([logKind, namespace, name], message) => {
    expect(() => objectSubject(logKind, namespace, name)).toThrow(new SubjectError(message));
  });

  it.each([
    'kubemu.obj.services.default',
    'kubemu.obj.services.default.a.b',
    'kubemu.status.services.default.a',
    'kubemu.obj.Services.default.a',
    'kubemu.obj.services.default.*',
    'kubemu.obj.services.>',
    'kubemu.obj.services..a',
    'other.obj.services.default.a',
  ])('does not parse %s', (subject) => {
    expect(parseObjectSubject(subject)).toBeUndefined();
  });

  it('builds filters for one kind or one kind in one namespace', () => {
    expect(objectSubjectFilter()).toBe('kubemu.obj.>');
    expect(objectSubjectFilter('services')).toBe('kubemu.obj.services.>');
    expect(objectSubjectFilter('services', 'default')).toBe('kubemu.obj.services.default.*');
    expect(objectSubjectFilter('nodes', '')).toBe('kubemu.obj.nodes._.*');
  });
});

describe('status subjects', () => {
  it('escapes agent names and parses back', () => {
    expect(statusSubject('proxy-agent/node-1', 'rulesProgrammed')).toBe('kubemu.status.proxy-agent/node-1.rulesProgrammed');
    expect(statusSubject('node/node-1.example', 'heartbeat')).toBe('kubemu.status.node/node-1~example.heartbeat');
    expect(parseStatusSubject('kubemu.status.node/node-1~example.heartbeat')).toEqual({ agent: 'node/node-1.example', what: 'heartbeat' });
    expect(parseStatusSubject('kubemu.status.dns-agent')).toBeUndefined();
    expect(statusSubjectFilter('proxy-agent/node-1')).toBe('kubemu.status.proxy-agent/node-1.*');
    expect(statusSubjectFilter()).toBe('kubemu.status.>');
    expect(() => statusSubject('', 'x')).toThrow(new SubjectError('agent must not be empty'));
  });
});
