// How every kubemu process starts, serves and stops: a failed start is one fatal JSON line and exit
// 1; SIGTERM and SIGINT run the process's own shutdown once, then exit 0.
import type { Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import { pino, type Logger } from 'pino';

/** Runs a process's main; if it throws, logs the failure as `<component> failed` and exits 1. */
export function runMain(component: string, main: () => Promise<void>, log: Logger = pino({ base: { component } })): void {
  main().catch((err: unknown) => {
    log.fatal({ err: String((err as Error)?.stack ?? err) }, `${component} failed`);
    process.exit(1);
  });
}

/**
 * On SIGTERM or SIGINT, logs "shutting down", runs `stop` once (a second signal while it runs is
 * ignored) and exits 0; exits 1 if `stop` throws, after logging why.
 */
export function onShutdown(log: Logger, stop: () => Promise<void>): void {
  let stopping = false;
  const handle = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    stop().then(
      () => process.exit(0),
      (err: unknown) => {
        log.error({ err: String((err as Error)?.stack ?? err) }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => handle('SIGTERM'));
  process.on('SIGINT', () => handle('SIGINT'));
}

/** server.listen as a promise: the bound address, or the listen error (e.g. EADDRINUSE). */
export function listen(server: Server, port: number, host: string): Promise<AddressInfo> {
  return new Promise<AddressInfo>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve(server.address() as AddressInfo);
    });
  });
}

/** Closes an HTTP(S) server now: open keep-alive connections too, not only the listening socket. */
export async function closeServer(server: Server & { closeAllConnections?: () => void }): Promise<void> {
  server.closeAllConnections?.();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}
