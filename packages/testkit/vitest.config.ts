import { defineConfig } from 'vitest/config';

// Tests start real nats-server and node processes.
export default defineConfig({
  test: {
    include: ['src/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
