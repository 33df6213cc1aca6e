import { describe, expect, it } from 'vitest';
import { errorString } from './field-errors.js';
import {
  isDNS1035Label,
  isDNS1123Label,
  isDNS1123Subdomain,
  isDualStackIPStrings,
  isFullyQualifiedDomainName,
  isIPv6String,
  isQualifiedName,
  isValidCIDR,
  isValidIP,
  isValidIPv4Address,
  isValidLabelValue,
  isValidPercent,
  isValidPortName,
  isValidPortNum,
  isRelaxedEnvVarName,
  parseIPSloppy,
} from './name-validation.js';

const LABEL_MSG =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
const SUBDOMAIN_MSG =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const DNS1035_MSG =
  "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";
const QNAME_MSG =
  "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
const LABEL_VALUE_MSG =
  "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";

describe('DNS names', () => {
  it.each([
    ['my-name', []],
    ['123-abc', []],
    ['My_Name', [LABEL_MSG]],
    ['a.b', ['must not contain dots']],
    ['-a', [LABEL_MSG]],
    ['a'.repeat(64), ['must be no more than 63 characters']],
    ['A'.repeat(64), ['must be no more than 63 characters', LABEL_MSG]],
  ])('isDNS1123Label(%j)', (v, want) => expect(isDNS1123Label(v)).toEqual(want));

  it.each([
    ['example.com', []],
    ['Bad_Name', [SUBDOMAIN_MSG]],
    ['a..b', [SUBDOMAIN_MSG]],
    [`${'a'.repeat(250)}.com`, ['must be no more than 253 characters']],
  ])('isDNS1123Subdomain(%j)', (v, want) => expect(isDNS1123Subdomain(v)).toEqual(want));

  it.each([
    ['my-svc', []],
    ['1svc', [DNS1035_MSG]],
    ['My_Svc', [DNS1035_MSG]],
  ])('isDNS1035Label(%j)', (v, want) => expect(isDNS1035Label(v)).toEqual(want));

  it('counts length in UTF-8 bytes, as Go does', () => {
    expect(isDNS1123Label('é'.repeat(32))).toEqual(['must be no more than 63 characters', LABEL_MSG]);
  });

  it('isFullyQualifiedDomainName', () => {
    expect(isFullyQualifiedDomainName('f', 'example.com.').map(errorString)).toEqual([]);
    expect(isFullyQualifiedDomainName('f', 'localhost').map(errorString)).toEqual([
      'f: Invalid value: "localhost": should be a domain with at least two segments separated by dots',
    ]);
    expect(isFullyQualifiedDomainName('f', '').map(errorString)).toEqual(['f: Required value']);
  });
});

describe('label keys and values', () => {
  it.each([
    ['app', []],
    ['example.com/app', []],
    ['app.kubernetes.io/name', []],
    ['/app', ['prefix part must be non-empty']],
    ['Bad_Prefix/app', [`prefix part ${SUBDOMAIN_MSG}`]],
    ['a/', ['name part must be non-empty', QNAME_MSG]],
    ['-app', [QNAME_MSG]],
    ['a/b/c', [`a qualified name ${QNAME_MSG.slice('name part '.length)} with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`]],
    ['a'.repeat(64), ['name part must be no more than 63 characters']],
  ])('isQualifiedName(%j)', (v, want) => expect(isQualifiedName(v)).toEqual(want));

  it.each([
    ['', []],
    ['my_value', []],
    ['bad value', [LABEL_VALUE_MSG]],
    ['v'.repeat(64), ['must be no more than 63 characters']],
  ])('isValidLabelValue(%j)', (v, want) => expect(isValidLabelValue(v)).toEqual(want));
});

describe('ports and small formats', () => {
  it.each([
    [1, []],
    [65535, []],
    [0, ['must be between 1 and 65535, inclusive']],
    [70000, ['must be between 1 and 65535, inclusive']],
  ])('isValidPortNum(%j)', (v, want) => expect(isValidPortNum(v)).toEqual(want));

  it.each([
    ['http', []],
    ['my_port', ['must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)']],
    ['a-very-long-port-name', ['must be no more than 15 characters']],
    ['8080', ['must contain at least one letter (a-z)']],
    ['a--b', ['must not contain consecutive hyphens']],
    ['-http', ['must not begin or end with a hyphen']],
    ['HTTP', ['must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)', 'must contain at least one letter (a-z)']],
  ])('isValidPortName(%j)', (v, want) => expect(isValidPortName(v)).toEqual(want));

  it('isValidPercent', () => {
    expect(isValidPercent('25%')).toEqual([]);
    expect(isValidPercent('25')).toEqual([
      "a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')",
    ]);
  });

  it('isRelaxedEnvVarName', () => {
    expect(isRelaxedEnvVarName('1-weird.NAME')).toEqual([]);
    expect(isRelaxedEnvVarName('A=B')).toEqual(["a valid environment variable name must consist only of printable ASCII characters other than '='"]);
  });
});

describe('IP addresses', () => {
  it.each([
    ['10.96.0.1', '00000000000000000000ffff0a600001'],
    ['010.001.0.1', '00000000000000000000ffff0a010001'], // sloppy: leading zeros read as decimal
    ['::1', '00000000000000000000000000000001'],
    ['2001:db8::ffff', '20010db800000000000000000000ffff'],
    ['1:2:3:4:5:6:7:8', '00010002000300040005000600070008'],
    ['::ffff:1.2.3.4', '00000000000000000000ffff01020304'],
    ['fe80::1.2.3.4', 'fe800000000000000000000001020304'],
  ])('parseIPSloppy(%j)', (s, hex) => {
    expect(Buffer.from(parseIPSloppy(s)!).toString('hex')).toBe(hex);
  });

  it.each(['abc', '1.2.3', '1.2.3.256', '1:2:3:4:5:6:7:8:9', '1::2::3', 'fe80::1%eth0', '', '1.2.3.4 '])('rejects %j', (s) => {
    expect(parseIPSloppy(s)).toBeNull();
  });

  it('isValidIP messages', () => {
    expect(isValidIP('spec.clusterIPs[0]', 'abc').map(errorString)).toEqual([
      'spec.clusterIPs[0]: Invalid value: "abc": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)',
    ]);
    expect(isValidIPv4Address('a', '::1').map(errorString)).toEqual(['a: Invalid value: "::1": must be a valid IPv4 address']);
  });

  it('families', () => {
    expect(isIPv6String('2001:db8::1')).toBe(true);
    expect(isIPv6String('::ffff:1.2.3.4')).toBe(false);
    expect(isDualStackIPStrings(['10.0.0.1', 'fd00::1'])).toBe(true);
    expect(isDualStackIPStrings(['10.0.0.1', '10.0.0.2'])).toBe(false);
    expect(isDualStackIPStrings(['10.0.0.1', 'x'])).toBeUndefined();
  });

  it('isValidCIDR', () => {
    expect(isValidCIDR('f', '10.0.0.0/8')).toEqual([]);
    expect(isValidCIDR('f', '10.0.0.1/8')).toEqual([]); // sloppy: host bits allowed before v1.33
    expect(isValidCIDR('f', '2001:db8::/64')).toEqual([]);
    expect(isValidCIDR('f', '10.0.0.0/33').map(errorString)).toEqual([
      'f: Invalid value: "10.0.0.0/33": must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)',
    ]);
    expect(isValidCIDR('f', '10.0.0.0').length).toBe(1);
  });
});
