import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { Server as NetServer } from 'node:net';

export type RequestListener = (req: IncomingMessage, res: ServerResponse) => void;

/**
 * The Node entry's HTTP server, with the states a load balancer needs to see: `starting` (listening,
 * not serving yet), `serving`, and `draining` after a stop signal. Outside `serving` every request
 * gets a 503 problem with `Retry-After` and `Connection: close`, answered here without touching the
 * app or the database, so a request that arrives while the database closes can never reach it.
 */
export interface NodeHttpServer {
  readonly server: Server;
  /** The port it listens on (the chosen one when PORT=0). */
  readonly port: number;
  /** Requests go to `handler` from now on. */
  serve(handler: RequestListener): void;
  /**
   * Stop accepting connections and answer every new request with 503. Open keep-alive connections
   * stay open until `closeConnections()`, so a request sent on one gets that 503 rather than a reset.
   */
  drain(): void;
  /** Resolves when no request is in flight. */
  idle(): Promise<void>;
  /** Close every connection still open (after `idle()`): nothing is served after this. */
  closeConnections(): void;
}

/** A listen failure a person can act on: which port or host, and which variable to change. */
export class ListenError extends Error {}

const UNAVAILABLE = {
  starting: { detail: 'The server is starting; retry shortly.', retryAfter: '1' },
  draining: { detail: 'The server is shutting down; retry on a new connection.', retryAfter: '5' },
} as const;

export async function listenHttp(opts: { port: number; host: string }): Promise<NodeHttpServer> {
  let state: 'starting' | 'serving' | 'draining' = 'starting';
  let handler: RequestListener | null = null;
  let inFlight = 0;
  let onIdle: (() => void) | null = null;

  const server = createServer((req, res) => {
    if (state !== 'serving' || !handler) return unavailable(res, state === 'draining' ? 'draining' : 'starting');
    inFlight++;
    // 'close' fires once the response is sent or the connection is gone, whichever comes first.
    res.once('close', () => {
      inFlight--;
      if (inFlight === 0) onIdle?.();
    });
    handler(req, res);
  });

  // Longer than the 60 s idle timeout of common load balancers, so that they close an idle
  // connection first and never send a request on one this server is closing.
  server.keepAliveTimeout = 65_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => reject(listenError(err, opts)));
    server.listen(opts.port, opts.host, () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : opts.port;

  return {
    server,
    port,
    serve(h) {
      handler = h;
      if (state === 'starting') state = 'serving';
    },
    drain() {
      state = 'draining';
      // net.Server's close stops accepting; http.Server's own close() would also drop idle
      // keep-alive connections at once, and a client's next request on one would then fail
      // instead of getting the 503 below.
      NetServer.prototype.close.call(server);
    },
    idle() {
      if (inFlight === 0) return Promise.resolve();
      return new Promise((resolve) => {
        onIdle = resolve;
      });
    },
    closeConnections() {
      server.closeAllConnections();
    },
  };
}

function unavailable(res: ServerResponse, why: keyof typeof UNAVAILABLE) {
  const { detail, retryAfter } = UNAVAILABLE[why];
  const code = why === 'draining' ? 'shutting_down' : 'starting';
  const body = JSON.stringify({
    type: `https://haipai.dev/problems/${code}`,
    title: 'Service Unavailable',
    status: 503,
    code,
    detail,
  });
  res.writeHead(503, {
    'content-type': 'application/problem+json',
    'content-length': Buffer.byteLength(body),
    'retry-after': retryAfter,
    connection: 'close',
  });
  res.end(body);
}

function listenError(err: NodeJS.ErrnoException, opts: { port: number; host: string }): Error {
  if (err.code === 'EADDRINUSE') {
    return new ListenError(`port ${opts.port} on ${opts.host} is already in use: set PORT to a free port (or 0 for any)`);
  }
  if (err.code === 'EACCES') {
    return new ListenError(`port ${opts.port} needs privileges this process lacks: set PORT to 1024 or above`);
  }
  if (err.code === 'EADDRNOTAVAIL' || err.code === 'ENOTFOUND') {
    return new ListenError(`cannot listen on host ${opts.host} (${err.code}): set HOST to an address of this machine`);
  }
  return err;
}
