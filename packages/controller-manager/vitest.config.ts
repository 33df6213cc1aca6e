import { defineConfig } from 'vitest/config';

// Tests start real nats-server, api-store and controller-manager processes.
export default defineConfig({
  test: {
    include: ['src/**/*.test.ts'],
    testTimeout: 90_000,
    hookTimeout: 60_000,
  },
});
