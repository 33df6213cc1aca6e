import { defineConfig } from 'vitest/config';

// Tests start real nats-server and node processes.
export default defineConfig({
  test: {
    include: ['src/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
