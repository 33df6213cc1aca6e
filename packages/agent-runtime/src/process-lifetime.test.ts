import { createServer } from 'node:http';
import { describe, expect, it } from 'vitest';
import { closeServer, listen } from './process-lifetime.js';

describe('listen', () => {
  it('resolves with the bound address, and rejects when the port is taken', async () => {
    const first = createServer();
    const { port, address } = await listen(first, 0, '127.0.0.1');
    expect(address).toBe('127.0.0.1');
    const second = createServer();
    await expect(listen(second, port, '127.0.0.1')).rejects.toThrow(/EADDRINUSE/);
    await closeServer(first);
  });
});
