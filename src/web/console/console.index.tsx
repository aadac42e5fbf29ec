import type { Context } from 'hono';
import { Hono } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { csrf } from 'hono/csrf';
import type { AppEnv } from '../../http/env.js';
import { AppError } from '../../http/problem.js';
import { idPattern } from '../../ids.js';
import { type PageContext, pageContext } from '../layout.js';
import { consoleDict } from './console.dict.js';
import { type ApiResult, type ConsoleApi, consoleApi, type InProcessApi } from './console-api.js';
import { type AuditView, ConsoleAccessLogPage, ConsoleAuditPage } from './console-audit.page.js';
import { ConsoleLoginPage } from './console-login.page.js';
import { ConsoleQueuePage, type QueueItem } from './console-queue.page.js';
import {
  type ConsoleSession,
  csrfMatches,
  newSession,
  openSession,
  SESSION_COOKIE,
  SESSION_SECONDS,
  sealSession,
} from './console-session.js';

type Ctx = Context<AppEnv>;

/**
 * `/console`: the IP officials' desk. Signed in with an official's API key (sealed in the session
 * cookie); every read and action is a call to the API's own routes, in process, with that key.
 * Forms are CSRF-safe three ways: SameSite=Strict cookie, Origin check (hono/csrf) and a
 * per-session token in every form.
 */
export function consoleRouter(api: InProcessApi) {
  const router = new Hono<AppEnv>();
  router.use('/console/*', csrf());
  router.use('/console', csrf());

  router.get('/console', async (c) => {
    const session = await currentSession(c);
    const ctx = pageContext(c);
    if (!session) return c.html(<ConsoleLoginPage ctx={ctx} problem={secretOf(c) ? null : 'unavailable'} />);
    const { call } = apiFor(c, session);
    const lists = await Promise.all(['submitted', 'in_review'].map((s) => call('GET', `/v1/assets?status=${s}&limit=50`)));
    const assets = lists.flatMap((l) => (l.status === 200 ? l.body.data : []));
    const items: QueueItem[] = await Promise.all(
      assets.map(async (asset) => {
        const [screening, provenance] = await Promise.all([
          call('GET', `/v1/assets/${asset.id}/screening`),
          call('GET', `/v1/audit/assets/${asset.id}/provenance`),
        ]);
        return {
          asset,
          screening: screening.status === 200 ? screening.body : null,
          provenance: provenance.status === 200 ? provenance.body : null,
        };
      }),
    );
    return c.html(<ConsoleQueuePage ctx={ctx} session={session} items={items} notice={noticeOf(c, ctx)} />);
  });

  router.post('/console/login', async (c) => {
    const ctx = pageContext(c);
    const secret = secretOf(c);
    if (!secret) return c.html(<ConsoleLoginPage ctx={ctx} problem="unavailable" />, 503);
    const form = await c.req.parseBody();
    const key = typeof form.key === 'string' ? form.key.trim() : '';
    const probe = consoleApi(api, new URL(c.req.url).origin, { key });
    // An official or the operator may read the screening queue; only the operator the access log.
    const official = key ? await probe.call('GET', '/v1/review/flagged?limit=1') : null;
    if (official?.status !== 200) return c.html(<ConsoleLoginPage ctx={ctx} problem="badKey" />, 401);
    const operator = (await probe.call('GET', '/v1/audit/access-log?limit=1')).status === 200;
    const session = newSession(key, operator ? 'operator' : 'official', c.get('deps').clock.now());
    setCookie(c, SESSION_COOKIE, await sealSession(session, secret), {
      path: '/console',
      httpOnly: true,
      sameSite: 'Strict',
      secure: new URL(c.req.url).protocol === 'https:',
      maxAge: SESSION_SECONDS,
    });
    return c.redirect(ctx.href('/console'), 303);
  });

  router.post('/console/logout', async (c) => {
    await requireSession(c, await c.req.parseBody());
    deleteCookie(c, SESSION_COOKIE, { path: '/console' });
    return c.redirect(pageContext(c).href('/console'), 303);
  });

  router.post('/console/works/:id/review', async (c) => {
    const form = await c.req.parseBody();
    const session = await requireSession(c, form);
    const id = param(c, 'id', 'ast');
    const action = String(form.action ?? '');
    const body = action === 'reject' ? { action, reason: String(form.reason ?? '') } : { action };
    const res = await apiFor(c, session).call('POST', `/v1/assets/${id}/review`, { body, idempotencyKey: idemOf(form) });
    return afterAction(c, '/console', res, `${action} ${id}`);
  });

  router.post('/console/units/:id/freezes', async (c) => {
    const form = await c.req.parseBody();
    const session = await requireSession(c, form);
    const id = param(c, 'id', 'unt');
    const res = await apiFor(c, session).call('POST', `/v1/units/${id}/freezes`, {
      body: { reason: String(form.reason ?? '') },
      idempotencyKey: idemOf(form),
    });
    return afterAction(c, `/console/audit?unit=${id}`, res, `freeze ${id}`);
  });

  router.post('/console/units/:id/freezes/:freezeId/lift', async (c) => {
    const form = await c.req.parseBody();
    const session = await requireSession(c, form);
    const id = param(c, 'id', 'unt');
    const freezeId = param(c, 'freezeId', 'frz');
    const res = await apiFor(c, session).call('POST', `/v1/units/${id}/freezes/${freezeId}/lift`, {
      body: { reason: String(form.reason ?? '') },
      idempotencyKey: idemOf(form),
    });
    return afterAction(c, `/console/audit?unit=${id}`, res, `lift ${freezeId}`);
  });

  router.get('/console/audit', async (c) => {
    const session = await currentSession(c);
    if (!session) return c.redirect(pageContext(c).href('/console'), 303);
    const ctx = pageContext(c);
    const { call } = apiFor(c, session);
    const unit = c.req.query('unit')?.trim() ?? '';
    const at = c.req.query('at')?.trim() ?? '';
    const asset = c.req.query('asset')?.trim() ?? '';
    const view: AuditView = { unit, at, asset, ownerAt: null, freezes: null, provenance: null, ownership: null, problems: [] };
    const keep = (res: ApiResult) => {
      if (res.status === 200) return res.body;
      view.problems.push(`${res.body?.code ?? res.status}: ${res.body?.detail ?? ''}`);
      return null;
    };
    if (unit) {
      const [owner, freezes] = await Promise.all([
        at ? call('GET', `/v1/audit/units/${encodeURIComponent(unit)}/owner?at=${encodeURIComponent(at)}`) : null,
        call('GET', `/v1/units/${encodeURIComponent(unit)}/freezes?limit=100`),
      ]);
      if (owner) view.ownerAt = keep(owner);
      view.freezes = keep(freezes)?.data ?? null;
    }
    if (asset) {
      const [provenance, ownership] = await Promise.all([
        call('GET', `/v1/audit/assets/${encodeURIComponent(asset)}/provenance`),
        call('GET', `/v1/audit/assets/${encodeURIComponent(asset)}/ownership?limit=100`),
      ]);
      view.provenance = keep(provenance);
      view.ownership = view.provenance ? (keep(ownership)?.data ?? null) : null;
    }
    return c.html(<ConsoleAuditPage ctx={ctx} session={session} view={view} notice={noticeOf(c, ctx)} />);
  });

  router.get('/console/access-log', async (c) => {
    const session = await currentSession(c);
    if (!session) return c.redirect(pageContext(c).href('/console'), 303);
    const res = await apiFor(c, session).call('GET', '/v1/audit/access-log?limit=100');
    return c.html(
      <ConsoleAccessLogPage ctx={pageContext(c)} session={session} rows={res.status === 200 ? res.body.data : null} />,
    );
  });

  // The submitted images are not public yet: the console fetches them with the official's key.
  router.get('/console/previews/:id/:size{small|large}', async (c) => {
    const session = await requireSession(c);
    const res = await apiFor(c, session).raw('GET', `/v1/uploads/${param(c, 'id', 'upl')}/preview/${c.req.param('size')}`);
    if (res.status !== 200) throw new AppError(404, 'not_found', 'No such preview.');
    return new Response(res.body, {
      headers: { 'content-type': res.headers.get('content-type') ?? 'image/webp', 'cache-control': 'private, max-age=300' },
    });
  });

  function apiFor(c: Ctx, session: ConsoleSession): ConsoleApi {
    return consoleApi(api, new URL(c.req.url).origin, session);
  }

  return router;
}

function secretOf(c: Ctx): string | undefined {
  return c.get('deps').config.OPERATOR_API_KEY;
}

async function currentSession(c: Ctx): Promise<ConsoleSession | null> {
  const secret = secretOf(c);
  if (!secret) return null;
  return openSession(getCookie(c, SESSION_COOKIE), secret, c.get('deps').clock.now());
}

/** The session, and for a form post its CSRF token; a page for the signed-out otherwise. */
async function requireSession(c: Ctx, form?: Record<string, unknown>): Promise<ConsoleSession> {
  const session = await currentSession(c);
  if (!session) throw new AppError(401, 'console_signed_out', 'Sign in at /console first.');
  if (form && !csrfMatches(session, form.csrf)) {
    throw new AppError(403, 'csrf_token_mismatch', 'The form is stale or came from elsewhere; reload the console.');
  }
  return session;
}

function param(c: Ctx, name: string, prefix: Parameters<typeof idPattern>[0]): string {
  const value = c.req.param(name) ?? '';
  if (!idPattern(prefix).test(value)) throw new AppError(404, 'not_found', `${value} is not an id of this kind.`);
  return value;
}

function idemOf(form: Record<string, unknown>): string | undefined {
  return typeof form.idem === 'string' && /^[0-9a-f-]{36}$/.test(form.idem) ? form.idem : undefined;
}

/** Post/redirect/get: the outcome travels as a short code in the query, never the key. */
function afterAction(c: Ctx, back: string, res: ApiResult, what: string) {
  const ctx = pageContext(c);
  const ok = res.status < 300;
  const params = new URLSearchParams(ok ? { done: what } : { refused: `${res.body?.code ?? res.status}: ${what}` });
  const url = `${back}${back.includes('?') ? '&' : '?'}${params}`;
  return c.redirect(ctx.href(url), 303);
}

function noticeOf(c: Ctx, ctx: PageContext): { ok: boolean; text: string } | null {
  const t = consoleDict[ctx.lang];
  const done = c.req.query('done');
  const refused = c.req.query('refused');
  if (done) return { ok: true, text: `${t.done} ${done}` };
  if (refused) return { ok: false, text: `${t.failed} ${refused}` };
  return null;
}
