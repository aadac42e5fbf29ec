/**
 * Issue 10 item 8, on the real Node server: a 413 closes its connection (the rest of the body is
 * never read, so it cannot carry a next request), and a request without a key is refused with 401
 * before its input is looked at.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OPERATOR_KEY } from './support/harness.js';
import { httpCall, type ServerProcess, spawnServer } from './support/server-process.js';

let dir: string;
let server: ServerProcess;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'haipai-http-limits-'));
  const { DATABASE_URL: _pg, ...env } = process.env; // the embedded default is enough here
  server = await spawnServer({
    ...env,
    DATA_DIR: dir,
    PORT: '0',
    EMBEDDED_S3_PORT: '0',
    OPERATOR_API_KEY: OPERATOR_KEY,
    MEDIA_WORKER: 'off',
    MAX_BODY_BYTES: '1000',
  });
});
afterAll(async () => {
  await server?.stop('SIGTERM');
  await rm(dir, { recursive: true, force: true });
});

/** Writes `requests` on one keep-alive socket; resolves with all the server sent once it closes the socket. */
function exchange(requests: string): Promise<string> {
  const { hostname, port } = new URL(server.baseUrl);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => socket.write(requests));
    let received = '';
    socket.on('data', (chunk) => {
      received += chunk.toString();
      // Both requests answered on a connection kept open: we are done, and we close it ourselves.
      if ((received.match(/HTTP\/1\.1 /g) ?? []).length >= 2 && received.endsWith('}')) socket.end();
    });
    socket.on('error', (err) => ((err as NodeJS.ErrnoException).code === 'ECONNRESET' ? resolve(received) : reject(err)));
    socket.on('close', () => resolve(received));
  });
}

describe('the HTTP edge', () => {
  it('a 413 closes the connection, so no later request on it goes unanswered', async () => {
    const big = JSON.stringify({ name: 'x'.repeat(2000), feeBps: 1 });
    const healthz = 'GET /healthz HTTP/1.1\r\nHost: haipai\r\nConnection: keep-alive\r\n\r\n';
    const received = await exchange(
      `POST /v1/platforms HTTP/1.1\r\nHost: haipai\r\nConnection: keep-alive\r\nAuthorization: Bearer ${OPERATOR_KEY}\r\n` +
        `Content-Type: application/json\r\nContent-Length: ${big.length}\r\n\r\n${big}${healthz}`,
    );
    const [head] = received.split('\r\n\r\n');
    expect(head).toMatch(/^HTTP\/1\.1 413 /);
    expect(head).toMatch(/^connection: close$/im);
    expect(received).toContain('"code":"body_too_large"');
    // The server closed the socket after the 413: the client knows to send the next request anew…
    expect(received.match(/HTTP\/1\.1 /g)).toHaveLength(1);
    // …and it is answered there.
    expect((await httpCall(server.baseUrl)('GET', '/healthz')).status).toBe(200);

    // Small requests keep the connection alive and both are answered on it.
    const both = await exchange(`${healthz}${healthz}`);
    expect(both.match(/HTTP\/1\.1 200 /g)).toHaveLength(2);
  });

  it('authenticates before it validates: no key and a bad body is a 401', async () => {
    const call = httpCall(server.baseUrl);
    const anonymous = await call('POST', '/v1/assets', { body: { title: 42 } });
    expect(anonymous.status).toBe(401);
    expect(anonymous.body.code).toBe('unauthenticated');
    const keyed = await call('POST', '/v1/assets', { key: OPERATOR_KEY, body: { title: 42 } });
    expect(keyed.status).toBe(400);
    expect(keyed.body.code).toBe('validation_failed');
    // A public route still validates for anonymous callers.
    const board = await call('GET', '/v1/board/listings?limit=0');
    expect(board.status).toBe(400);
    expect(board.body.code).toBe('validation_failed');
  });
});
