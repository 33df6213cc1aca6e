// Endpoints validation: ValidateEndpoints / ValidateEndpointsUpdate
// (pkg/apis/core/validation/validation.go, v1.32).

import { invalid, notSupported, required, type FieldError } from '../api/field-errors.js';
import { isQualifiedName, isValidIP, isValidPortNum } from '../api/name-validation.js';
import { nameIsDNSSubdomain, validateObjectMeta, validateObjectMetaUpdate } from '../api/object-meta-validation.js';
import type { EndpointAddress, EndpointPort, Endpoints } from '../api/types.js';
import { validateDNS1123Label } from '../pod/validation.js';
import { validateNonSpecialIP } from '../service/validation.js';

const SUPPORTED_PORT_PROTOCOLS = ['SCTP', 'TCP', 'UDP'];

function validateEndpointAddress(a: EndpointAddress, path: string): FieldError[] {
  const ip = a.ip ?? '';
  const errs = isValidIP(`${path}.ip`, ip);
  if ((a.hostname ?? '').length > 0) errs.push(...validateDNS1123Label(a.hostname!, `${path}.hostname`));
  if (a.nodeName !== undefined) {
    for (const msg of nameIsDNSSubdomain(a.nodeName, false)) errs.push(invalid(`${path}.nodeName`, a.nodeName, msg));
  }
  // An unparseable IP is reported twice: by IsValidIP and by ValidateNonSpecialIP.
  errs.push(...validateNonSpecialIP(ip, `${path}.ip`));
  return errs;
}

/** validateEndpointPort. */
export function validateEndpointPort(p: EndpointPort, requireName: boolean, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const name = p.name ?? '';
  if (requireName && name.length === 0) errs.push(required(`${path}.name`, ''));
  else if (name.length !== 0) errs.push(...validateDNS1123Label(name, `${path}.name`));
  const port = p.port ?? 0;
  for (const msg of isValidPortNum(port)) errs.push(invalid(`${path}.port`, port, msg));
  const protocol = p.protocol ?? '';
  if (protocol.length === 0) errs.push(required(`${path}.protocol`, ''));
  else if (!SUPPORTED_PORT_PROTOCOLS.includes(protocol)) errs.push(notSupported(`${path}.protocol`, protocol, SUPPORTED_PORT_PROTOCOLS));
  if (p.appProtocol !== undefined) for (const msg of isQualifiedName(p.appProtocol)) errs.push(invalid(`${path}.appProtocol`, p.appProtocol, msg));
  return errs;
}

export function validateEndpoints(ep: Endpoints): FieldError[] {
  const errs = validateObjectMeta(ep.metadata, true, nameIsDNSSubdomain, 'metadata');
  (ep.subsets ?? []).forEach((ss, i) => {
    const p = `subsets[${i}]`;
    const addresses = ss.addresses ?? [];
    const notReady = ss.notReadyAddresses ?? [];
    if (addresses.length === 0 && notReady.length === 0) errs.push(required(p, 'must specify `addresses` or `notReadyAddresses`'));
    addresses.forEach((a, j) => errs.push(...validateEndpointAddress(a, `${p}.addresses[${j}]`)));
    notReady.forEach((a, j) => errs.push(...validateEndpointAddress(a, `${p}.notReadyAddresses[${j}]`)));
    const ports = ss.ports ?? [];
    ports.forEach((port, j) => errs.push(...validateEndpointPort(port, ports.length > 1, `${p}.ports[${j}]`)));
  });
  return errs;
}

export function validateEndpointsUpdate(ep: Endpoints, old: Endpoints): FieldError[] {
  return [...validateObjectMetaUpdate(ep.metadata, old.metadata, 'metadata'), ...validateEndpoints(ep)];
}
