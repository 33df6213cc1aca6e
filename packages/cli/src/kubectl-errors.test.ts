import { describe, expect, it } from 'vitest';
import { statusInvalid, statusNotFound, type FieldError } from '@kubemu/core';
import { ApiError, ConnectionError, genericStatus } from '@kubemu/client';
import { addSourceToErr, checkErrText } from './kubectl-errors.js';

const services = { group: '', resource: 'services', kind: 'Service' };

describe('checkErrText', () => {
  const invalid = (): ApiError =>
    new ApiError(
      statusInvalid(services, 'my-nginx', [
        { type: 'FieldValueInvalid', field: 'spec.ports[0].nodePort', badValue: 40000, detail: 'provided port is not in the valid range. The range of valid ports is 30000-32767' } satisfies FieldError,
      ]),
    );

  it('prints one Invalid error as kubectl does, even with a source', () => {
    const text =
      'The Service "my-nginx" is invalid: spec.ports[0].nodePort: Invalid value: 40000: provided port is not in the valid range. The range of valid ports is 30000-32767\n';
    expect(checkErrText([invalid()])).toBe(text);
    expect(checkErrText([addSourceToErr('creating', 'svc.yaml', invalid())])).toBe(text);
  });

  it('prints several errors one line each, with their sources', () => {
    const notFound = new ApiError(statusNotFound({ group: '', resource: 'namespaces' }, 'nope'));
    expect(checkErrText([addSourceToErr('creating', 'svc.yaml', invalid()), addSourceToErr('creating', 'b.yaml', notFound)])).toBe(
      'Error from server (Invalid): error when creating "svc.yaml": Service "my-nginx" is invalid: spec.ports[0].nodePort: Invalid value: 40000: provided port is not in the valid range. The range of valid ports is 30000-32767\n' +
        'Error from server (NotFound): error when creating "b.yaml": namespaces "nope" not found\n',
    );
  });

  it('words the other kinds of failure as kubectl', () => {
    expect(checkErrText([new ApiError(statusNotFound(services, 'x'))])).toBe('Error from server (NotFound): services "x" not found\n');
    expect(checkErrText([new ApiError(genericStatus(401, ''))])).toBe('error: You must be logged in to the server (the server has asked for the client to provide credentials)\n');
    const refused = new ConnectionError('The connection to the server 127.0.0.1:6443 was refused - did you specify the right host or port?');
    expect(checkErrText([refused])).toBe('The connection to the server 127.0.0.1:6443 was refused - did you specify the right host or port?\n');
    expect(checkErrText([new Error('boom')])).toBe('error: boom\n');
    expect(checkErrText([])).toBe('');
  });
});
