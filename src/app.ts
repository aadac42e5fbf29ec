import { bodyLimit } from 'hono/body-limit';
import { requestId } from 'hono/request-id';
import type { Deps } from './deps.js';
import { archiveRouter } from './features/archive/archive.index.js';
import { assetsRouter } from './features/assets/assets.index.js';
import { auctionsRouter } from './features/auctions/auctions.index.js';
import { recordOfficialReads } from './features/audit/access-log.js';
import { auditRouter } from './features/audit/audit.index.js';
import { boardRouter } from './features/board/board.index.js';
import { casesRouter } from './features/cases/cases.index.js';
import { editionsRouter } from './features/editions/editions.index.js';
import { freezesRouter } from './features/freezes/freezes.index.js';
import { ledgerRouter } from './features/ledger/ledger.index.js';
import { licensingRouter } from './features/licensing/licensing.index.js';
import { marketRouter } from './features/market/market.index.js';
import { mediaRouter } from './features/media/media.index.js';
import { partiesRouter } from './features/parties/parties.index.js';
import { stripeRouter } from './features/stripe/stripe.index.js';
import { logRouter } from './features/tlog/log.index.js';
import { registerLogResources } from './features/tlog/log-resources.openapi.js';
import { uploadsRouter } from './features/uploads/uploads.index.js';
import { webhooksRouter } from './features/webhooks/webhooks.index.js';
import { authenticate } from './http/auth.js';
import { bareBenchRoute } from './http/bench-bare-route.js';
import { mountHealthRoutes } from './http/health.js';
import { idempotency } from './http/idempotency.js';
import { AppError, problemResponse, renderError } from './http/problem.js';
import { publicPageCache } from './http/public-page-cache.js';
import { rateLimit } from './http/rate-limit.js';
import { createRouter } from './http/router.js';
import { pagesRouter } from './web/pages.index.js';

/** The whole HTTP API. Runtime-specific things arrive in `deps`; nothing here touches process or bindings. */
export function createApp(deps: Deps) {
  const app = createRouter();
  const boardCache = publicPageCache(deps);

  app.use('*', requestId());
  app.use('*', async (c, next) => {
    c.set('deps', deps);
    const started = Date.now();
    await next();
    deps.log.info('request', {
      requestId: c.get('requestId'),
      method: c.req.method,
      path: c.req.path,
      status: c.res.status,
      ms: Date.now() - started,
    });
  });
  app.use(
    '/v1/*',
    bodyLimit({
      maxSize: deps.config.MAX_BODY_BYTES,
      // The rest of the body is never read, so the connection cannot carry another request: close it.
      onError: (c) => {
        c.header('connection', 'close');
        return problemResponse(c, 413, 'body_too_large', `Request bodies are limited to ${deps.config.MAX_BODY_BYTES} bytes.`);
      },
    }),
  );
  app.use('/v1/*', async (c, next) => {
    const type = c.req.header('content-type');
    if (['POST', 'PUT', 'PATCH'].includes(c.req.method) && type && !/^application\/json\b/i.test(type)) {
      throw new AppError(415, 'unsupported_media_type', 'Send JSON with "Content-Type: application/json".');
    }
    await next();
  });
  // Registered before the others so it runs after them: by then the write has committed.
  app.use('/v1/*', async (c, next) => {
    await next();
    if (!['GET', 'HEAD', 'OPTIONS'].includes(c.req.method) && c.res.status < 400) {
      boardCache.clear();
      deps.afterWrite?.();
    }
  });
  // Rate limits (README "Rate limits"): every request per client address, before its key is even
  // looked up; then per API key; and anonymous reads of the public board and log, lower.
  const perAddress = rateLimit(deps, 'perAddress');
  const publicReads = rateLimit(deps, 'publicReads');
  app.use('/v1/*', perAddress);
  app.use('/log/*', perAddress, publicReads);
  app.use('/v1/*', authenticate());
  app.use('/v1/*', rateLimit(deps, 'perKey'));
  app.use('/v1/board/*', publicReads);
  app.use('/v1/log/*', publicReads);
  app.use('/v1/cases', publicReads);
  // The public web pages read the same tables as the public routes, so they count the same way.
  for (const page of ['/board', '/board/*', '/works/*', '/units/*', '/trades/*']) app.use(page, perAddress, publicReads);
  app.use('/v1/*', idempotency());
  app.use('/v1/*', recordOfficialReads());
  // Last, so that every middleware above still runs for an answer served from the cache.
  app.use('/v1/board/listings', boardCache.middleware);
  app.use('/v1/board/trades', boardCache.middleware);
  app.use('/v1/board/stats', boardCache.middleware);

  app.openAPIRegistry.registerComponent('securitySchemes', 'apiKey', {
    type: 'http',
    scheme: 'bearer',
    description: 'An API key: the operator key, or one issued to a platform, account or official.',
  });

  const routes = app
    .route('/', partiesRouter())
    .route('/', uploadsRouter())
    .route('/', mediaRouter()) // before assets: /v1/assets/similar is not /v1/assets/{id}
    .route('/', assetsRouter())
    .route('/', editionsRouter())
    .route('/', freezesRouter())
    .route('/', casesRouter())
    .route('/', auctionsRouter())
    .route('/', auditRouter())
    .route('/', archiveRouter())
    .route('/', ledgerRouter())
    .route('/', marketRouter())
    .route('/', boardRouter())
    .route('/', licensingRouter())
    .route('/', stripeRouter())
    .route('/', webhooksRouter())
    .route('/', logRouter());

  app.doc31('/openapi.json', {
    openapi: '3.1.0',
    info: {
      title: 'Haipai API',
      version: '0.1.0',
      description:
        'Virtual fashion IP registry and transparent trade board. Errors are application/problem+json with a stable `code`. ' +
        'Every operation is rate limited per API key and per client address (lower for anonymous board and log reads): ' +
        'responses carry RateLimit-Limit, RateLimit-Remaining, RateLimit-Reset and RateLimit-Policy, and past a limit the ' +
        'answer is 429 `rate_limited` with Retry-After.',
    },
    security: [{ apiKey: [] }],
  });
  registerLogResources(app.openAPIRegistry);
  // The web pages (/, /docs, /board, /works, /units, certificates, /console) and their built files
  // (/assets). The console calls the API in process, through this same app.
  app.route(
    '/',
    pagesRouter((request) => Promise.resolve(app.fetch(request))),
  );
  mountHealthRoutes(app, deps);
  if (deps.config.BENCH_BARE_ROUTE === 'on') app.get('/v1/_bench/bare', bareBenchRoute());

  app.notFound((c) => problemResponse(c, 404, 'route_not_found', `No route for ${c.req.method} ${c.req.path}.`));
  app.onError(renderError);
  return routes;
}

export type App = ReturnType<typeof createApp>;
