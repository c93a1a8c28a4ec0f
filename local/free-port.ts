import { createServer } from 'node:net';

/**
 * A TCP port on 127.0.0.1 that was free a moment ago (for programs that cannot be told to pick one); `port`, when
 * given, is that port if it is free (else the promise rejects, EADDRINUSE).
 */
export function freePort(port = 0): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
