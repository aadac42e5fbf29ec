import { Hono } from 'hono';
import { formatTlogSize, TLOG_SIZE_CONTENT_TYPE } from '../../src/features/tlog/add-checkpoint.js';
import { AppError, problemResponse, renderError } from '../../src/http/problem.js';
import { addCheckpoint, StaleOldSize, type WitnessDeps } from './witness.service.js';

/** A request body is an old size, at most 63 hashes and a checkpoint with its signatures: small. */
const MAX_BODY_BYTES = 64 * 1024;

/**
 * The witness's HTTP interface (C2SP tlog-witness): `POST /add-checkpoint`, plus `GET /vkey`
 * so a log operator can copy the key to configure. Errors other than the 409 the spec defines
 * are problem+json with a stable `code`, under the status the spec prescribes.
 */
export function createWitnessApp(deps: WitnessDeps) {
  const app = new Hono();
  app.post('/add-checkpoint', async (c) => {
    const declared = Number(c.req.header('content-length') ?? 0);
    if (declared > MAX_BODY_BYTES) return problemResponse(c, 413, 'body_too_large', `At most ${MAX_BODY_BYTES} bytes.`);
    const body = await c.req.text();
    if (body.length > MAX_BODY_BYTES) return problemResponse(c, 413, 'body_too_large', `At most ${MAX_BODY_BYTES} bytes.`);
    try {
      const line = await addCheckpoint(deps, body);
      return c.body(line, 200, { 'content-type': 'text/plain; charset=utf-8' });
    } catch (err) {
      if (err instanceof StaleOldSize) {
        return c.body(formatTlogSize(err.size), 409, { 'content-type': TLOG_SIZE_CONTENT_TYPE });
      }
      throw err;
    }
  });
  app.get('/vkey', (c) => c.text(`${deps.cosigner.verifierKey}\n`));
  app.notFound((c) => problemResponse(c, 404, 'route_not_found', `No route for ${c.req.method} ${c.req.path}.`));
  app.onError((err, c) => {
    if (!(err instanceof AppError)) {
      deps.log.error('witness: request failed', { error: (err as Error).message });
    }
    return renderError(err, c);
  });
  return app;
}
