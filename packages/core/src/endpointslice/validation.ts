// EndpointSlice validation: ValidateEndpointSlice / ValidateEndpointSliceUpdate
// (pkg/apis/discovery/validation/validation.go, v1.32).

import { invalid, notSupported, required, tooMany, type FieldError } from '../api/field-errors.js';
import {
  isFullyQualifiedDomainName,
  isQualifiedName,
  isValidIPv4Address,
  isValidIPv6Address,
  isValidLabelValue,
} from '../api/name-validation.js';
import { nameIsDNSSubdomain, validateObjectMeta } from '../api/object-meta-validation.js';
import type { Endpoint, EndpointSlice } from '../api/types.js';
import { validateDNS1123Label } from '../pod/validation.js';
import { validateNonSpecialIP } from '../service/validation.js';

export const MAX_ENDPOINTS = 1000;
export const MAX_ADDRESSES = 100;
export const MAX_PORTS = 20000;
export const MAX_ZONE_HINTS = 8;
const SUPPORTED_ADDRESS_TYPES = ['FQDN', 'IPv4', 'IPv6'];
const SUPPORTED_PORT_PROTOCOLS = ['SCTP', 'TCP', 'UDP'];

function validateEndpoints(endpoints: Endpoint[], addressType: string, path: string): FieldError[] {
  if (endpoints.length > MAX_ENDPOINTS) return [tooMany(path, endpoints.length, MAX_ENDPOINTS)];
  const errs: FieldError[] = [];
  endpoints.forEach((ep, i) => {
    const p = `${path}[${i}]`;
    const addrPath = `${p}.addresses`;
    const addresses = ep.addresses ?? [];
    if (addresses.length === 0) errs.push(required(addrPath, 'must contain at least 1 address'));
    else if (addresses.length > MAX_ADDRESSES) errs.push(tooMany(addrPath, addresses.length, MAX_ADDRESSES));
    addresses.forEach((a, j) => {
      const ap = `${addrPath}[${j}]`;
      // Unknown address types fall through unvalidated.
      if (addressType === 'IPv4') errs.push(...isValidIPv4Address(ap, a), ...validateNonSpecialIP(a, ap));
      else if (addressType === 'IPv6') errs.push(...isValidIPv6Address(ap, a), ...validateNonSpecialIP(a, ap));
      else if (addressType === 'FQDN') errs.push(...isFullyQualifiedDomainName(ap, a));
    });
    if (ep.nodeName !== undefined) {
      for (const msg of nameIsDNSSubdomain(ep.nodeName, false)) errs.push(invalid(`${p}.nodeName`, ep.nodeName, msg));
    }
    if (ep.hostname !== undefined) errs.push(...validateDNS1123Label(ep.hostname, `${p}.hostname`));
    if (ep.hints !== undefined) {
      const fz = `${p}.hints.forZones`;
      const zones = ep.hints.forZones ?? [];
      if (zones.length > MAX_ZONE_HINTS) errs.push(tooMany(fz, zones.length, MAX_ZONE_HINTS));
      else {
        const seen = new Set<string>();
        zones.forEach((z, j) => {
          const name = z.name ?? '';
          const zp = `${fz}[${j}].name`;
          if (seen.has(name)) errs.push({ type: 'FieldValueDuplicate', field: zp, badValue: name, detail: '' });
          else seen.add(name);
          for (const msg of isValidLabelValue(name)) errs.push(invalid(zp, name, msg));
        });
      }
    }
  });
  return errs;
}

function validatePorts(slice: EndpointSlice, path: string): FieldError[] {
  const ports = slice.ports ?? [];
  if (ports.length > MAX_PORTS) return [tooMany(path, ports.length, MAX_PORTS)];
  const errs: FieldError[] = [];
  const names = new Set<string>();
  ports.forEach((port, i) => {
    const p = `${path}[${i}]`;
    const name = port.name ?? '';
    if (name.length > 0) errs.push(...validateDNS1123Label(name, `${p}.name`));
    if (names.has(name)) errs.push({ type: 'FieldValueDuplicate', field: `${p}.name`, badValue: name, detail: '' });
    else names.add(name);
    if (port.protocol === undefined) errs.push(required(`${p}.protocol`, ''));
    else if (!SUPPORTED_PORT_PROTOCOLS.includes(port.protocol)) errs.push(notSupported(`${p}.protocol`, port.protocol, SUPPORTED_PORT_PROTOCOLS));
    if (port.appProtocol !== undefined) {
      for (const msg of isQualifiedName(port.appProtocol)) errs.push(invalid(`${p}.appProtocol`, port.appProtocol, msg));
    }
  });
  return errs;
}

export function validateEndpointSlice(slice: EndpointSlice): FieldError[] {
  const errs = validateObjectMeta(slice.metadata, true, nameIsDNSSubdomain, 'metadata');
  const addressType = slice.addressType ?? '';
  if (addressType === '') errs.push(required('addressType', ''));
  else if (!SUPPORTED_ADDRESS_TYPES.includes(addressType)) errs.push(notSupported('addressType', addressType, SUPPORTED_ADDRESS_TYPES));
  errs.push(...validateEndpoints(slice.endpoints ?? [], addressType, 'endpoints'));
  errs.push(...validatePorts(slice, 'ports'));
  return errs;
}

/** ValidateEndpointSliceUpdate: addressType is immutable (metadata update rules come from rest.BeforeUpdate). */
export function validateEndpointSliceUpdate(slice: EndpointSlice, old: EndpointSlice): FieldError[] {
  const errs = validateEndpointSlice(slice);
  if ((slice.addressType ?? '') !== (old.addressType ?? '')) {
    errs.push(invalid('addressType', slice.addressType ?? '', 'field is immutable'));
  }
  return errs;
}
