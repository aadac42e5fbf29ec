import { requirePrincipal } from '../../http/auth.js';
import { decodeCursor, toPage } from '../../http/pagination.js';
import { badRequest } from '../../http/problem.js';
import { createRouter } from '../../http/router.js';
import { iso } from '../../http/schemas.js';
import { findEndpoint, signingSecrets, signingSecretsOf } from './endpoints.repo.js';
import {
  createEndpoint,
  DEFAULT_ROTATION_GRACE_SECONDS,
  presentEndpoint,
  rotateSecret,
  setEndpointEnabled,
} from './endpoints.service.js';
import { EVENT_TYPE_PATTERN, feedCursor, feedPosition, readFeed } from './feed.js';
import { webhookSealer } from './secret-sealing.js';
import { webhookSettings } from './webhooks.config.js';
import * as routes from './webhooks.routes.js';

/** Log entries GET /v1/events looks through per request before answering with what it found. */
const FEED_MAX_SCAN = 20_000;

export function webhooksRouter() {
  return createRouter()
    .openapi(routes.createEndpoint, async (c) => {
      const principal = requirePrincipal(c, 'platform');
      const { db, clock, config } = c.get('deps');
      const { allowHttpLocal } = webhookSettings(config);
      const sealer = await webhookSealer(config);
      const made = await createEndpoint(db, principal.id, c.req.valid('json'), { allowHttpLocal, now: clock.now(), sealer });
      return c.json({ ...presentEndpoint(made.endpoint, made.secrets), secret: made.secret }, 201);
    })
    .openapi(routes.listEndpoints, async (c) => {
      const principal = requirePrincipal(c, 'platform');
      const { db, clock } = c.get('deps');
      const { after, limit } = c.req.valid('query');
      const cursor = decodeCursor(after);
      let q = db.selectFrom('webhook_endpoints').selectAll().where('platform_id', '=', principal.id);
      if (cursor) q = q.where('id', '>', cursor);
      const rows = await q
        .orderBy('id')
        .limit(limit + 1)
        .execute();
      const secrets = await signingSecretsOf(
        db,
        rows.map((r) => r.id),
        clock.now(),
      );
      return c.json(
        toPage(
          rows,
          limit,
          (r) => r.id,
          (r) => presentEndpoint(r, secrets.get(r.id)!),
        ),
        200,
      );
    })
    .openapi(routes.getEndpoint, async (c) => {
      const principal = requirePrincipal(c, 'platform');
      const { db, clock } = c.get('deps');
      const endpoint = await findEndpoint(db, principal.id, c.req.valid('param').id);
      return c.json(presentEndpoint(endpoint, await signingSecrets(db, endpoint.id, clock.now())), 200);
    })
    .openapi(routes.rotateSecret, async (c) => {
      const principal = requirePrincipal(c, 'platform');
      const { db, clock, config } = c.get('deps');
      const grace = c.req.valid('json').graceSeconds ?? DEFAULT_ROTATION_GRACE_SECONDS;
      const made = await rotateSecret(db, principal.id, c.req.valid('param').id, grace, clock.now(), await webhookSealer(config));
      return c.json({ ...presentEndpoint(made.endpoint, made.secrets), secret: made.secret }, 200);
    })
    .openapi(routes.disableEndpoint, async (c) => {
      const principal = requirePrincipal(c, 'platform');
      const { db, clock } = c.get('deps');
      const endpoint = await setEndpointEnabled(db, principal.id, c.req.valid('param').id, false, clock.now());
      return c.json(presentEndpoint(endpoint, await signingSecrets(db, endpoint.id, clock.now())), 200);
    })
    .openapi(routes.enableEndpoint, async (c) => {
      const principal = requirePrincipal(c, 'platform');
      const { db, clock } = c.get('deps');
      const endpoint = await setEndpointEnabled(db, principal.id, c.req.valid('param').id, true, clock.now());
      return c.json(presentEndpoint(endpoint, await signingSecrets(db, endpoint.id, clock.now())), 200);
    })
    .openapi(routes.listAttempts, async (c) => {
      const principal = requirePrincipal(c, 'platform');
      const { db } = c.get('deps');
      const endpoint = await findEndpoint(db, principal.id, c.req.valid('param').id);
      const { after, limit } = c.req.valid('query');
      const cursor = decodeCursor(after, /^\d{1,19}$/);
      let q = db.selectFrom('webhook_attempts').selectAll().where('endpoint_id', '=', endpoint.id);
      if (cursor) q = q.where('id', '<', BigInt(cursor));
      const rows = await q
        .orderBy('id', 'desc')
        .limit(limit + 1)
        .execute();
      return c.json(
        toPage(
          rows,
          limit,
          (r) => String(r.id),
          (r) => ({
            eventId: r.event_id,
            logIndex: Number(r.log_index),
            attempt: r.attempt,
            at: r.started_at.toISOString(),
            durationMs: r.duration_ms,
            statusCode: r.status_code,
            succeeded: r.succeeded,
            error: r.error,
            nextAttemptAt: iso(r.next_attempt_at),
          }),
        ),
        200,
      );
    })
    .openapi(routes.listEvents, async (c) => {
      const principal = requirePrincipal(c, 'platform');
      const { after, limit, types } = c.req.valid('query');
      const typeList = types === undefined ? ['*'] : types.split(',').map((t) => t.trim());
      const bad = typeList.find((t) => !EVENT_TYPE_PATTERN.test(t));
      if (bad !== undefined) throw badRequest('invalid_event_type', `"${bad}" is not an event type, a prefix like unit.* or *.`);
      const read = await readFeed(c.get('deps').db, { platformId: principal.id, types: typeList }, feedPosition(after), {
        limit,
        maxScan: FEED_MAX_SCAN,
      });
      return c.json({ data: read.events.map((e) => e.envelope), nextCursor: feedCursor(read.next), hasMore: read.more }, 200);
    });
}
