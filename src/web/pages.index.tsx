import type { Context } from 'hono';
import { Hono } from 'hono';
import { listBoardListings } from '../features/board/board.routes.js';
import { latestCheckpoint } from '../features/tlog/log.repo.js';
import type { AppEnv } from '../http/env.js';
import { AppError } from '../http/problem.js';
import { idPattern } from '../ids.js';
import { boardListings, priceIndex, recentTrades } from './board/board.data.js';
import { BoardPage } from './board/board.page.js';
import { certificateWitnesses } from './certificates/certificate-witnesses.js';
import { tradeCertificatePage, workCertificate } from './certificates/certificates.data.js';
import { TradeCertificatePage } from './certificates/trade-certificate.page.js';
import { WorkCertificatePage } from './certificates/work-certificate.page.js';
import { consoleRouter } from './console/console.index.js';
import type { InProcessApi } from './console/console-api.js';
import { DocsPage } from './docs/docs.page.js';
import { ErrorPage } from './error.page.js';
import { HomePage } from './home/home.page.js';
import { pageContext } from './layout.js';
import { workLineage } from './works/lineage.data.js';
import { UnitPage } from './works/unit.page.js';
import { WorkPage } from './works/work.page.js';
import { unitRecord, workRecord } from './works/works.data.js';

const ID = { asset: idPattern('ast'), unit: idPattern('unt'), trade: idPattern('trd') };
// Pages change with every trade: browsers revalidate, shared caches keep them a few seconds.
const PAGE_CACHE = 'public, max-age=0, s-maxage=5';

/**
 * The web pages: server-rendered HTML (hono/jsx) reading through the same repos and services as
 * the API, never through HTTP. Refusals are HTML pages with the API's status and problem code.
 */
export function pagesRouter(api: InProcessApi) {
  const pages = new Hono<AppEnv>();

  pages.use('*', async (c, next) => {
    await next();
    if (c.res.headers.get('content-type')?.startsWith('text/html')) {
      // The console is one official's view: never stored by a cache.
      c.res.headers.set('cache-control', c.req.path.startsWith('/console') ? 'private, no-store' : PAGE_CACHE);
      c.res.headers.set('vary', 'Accept-Language');
      c.res.headers.set('x-content-type-options', 'nosniff');
      c.res.headers.set('referrer-policy', 'same-origin');
    }
  });
  pages.onError((err, c) => {
    if (!(err instanceof AppError)) throw err;
    const ctx = pageContext(c);
    return c.html(<ErrorPage ctx={ctx} status={err.status} code={err.code} detail={err.message} />, err.status);
  });

  pages.get('/', async (c) => {
    const checkpoint = await latestCheckpoint(c.get('deps').db);
    return c.html(<HomePage ctx={pageContext(c)} logSize={checkpoint?.size ?? null} />);
  });

  pages.get('/docs', (c) => c.html(<DocsPage ctx={pageContext(c)} />));

  pages.get('/board', async (c) => {
    const { db, clock } = c.get('deps');
    const now = clock.now();
    const raw = nonEmptyQuery(c);
    const parsed = listBoardListings.request!.query!.safeParse(raw);
    let problem: string | null = null;
    let listings: Awaited<ReturnType<typeof boardListings>> | null = null;
    if (!parsed.success) {
      problem = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    } else if (
      parsed.data.minPrice !== undefined &&
      parsed.data.maxPrice !== undefined &&
      parsed.data.minPrice > parsed.data.maxPrice
    ) {
      problem = 'minPrice > maxPrice';
    } else {
      listings = await boardListings(db, parsed.data, now);
    }
    const currency = parsed.success && parsed.data.currency ? parsed.data.currency : 'CNY';
    const [trades, index] = await Promise.all([
      recentTrades(db, 20, parsed.success ? parsed.data.currency : undefined),
      priceIndex(db, currency, now),
    ]);
    const { after: _after, lang: _lang, ...query } = raw;
    return c.html(
      <BoardPage ctx={pageContext(c)} query={query} listings={listings} problem={problem} trades={trades} index={index} />,
      problem ? 400 : 200,
    );
  });

  pages.get('/works/:id', async (c) => {
    const { db, config, clock } = c.get('deps');
    const id = idParam(c, ID.asset);
    const record = await workRecord(db, config, id, clock.now());
    const lineage = await workLineage(db, record);
    return c.html(<WorkPage ctx={pageContext(c)} record={record} lineage={lineage} />);
  });

  pages.get('/works/:id/certificate', async (c) => {
    const { db, config, clock } = c.get('deps');
    const cert = await workCertificate(db, config, idParam(c, ID.asset), clock.now());
    return c.html(<WorkCertificatePage ctx={pageContext(c)} cert={cert} witnesses={await certificateWitnesses(config)} />);
  });

  pages.get('/units/:id', async (c) => {
    const record = await unitRecord(c.get('deps').db, idParam(c, ID.unit));
    return c.html(<UnitPage ctx={pageContext(c)} record={record} />);
  });

  pages.get('/trades/:id/certificate', async (c) => {
    const { db, config } = c.get('deps');
    const cert = await tradeCertificatePage(db, idParam(c, ID.trade));
    return c.html(<TradeCertificatePage ctx={pageContext(c)} cert={cert} witnesses={await certificateWitnesses(config)} />);
  });

  pages.get('/assets/:file', async (c) => {
    const res = await c.get('deps').webAssets?.fetch(c.req.path);
    if (!res) throw new AppError(404, 'route_not_found', `No file ${c.req.path}.`);
    return res;
  });

  pages.route('/', consoleRouter(api));

  return pages;
}

/** The query without empty fields: an unchosen <select> sends `kind=`, which means "any". */
function nonEmptyQuery(c: Context<AppEnv>): Record<string, string> {
  return Object.fromEntries(Object.entries(c.req.query()).filter(([, v]) => v !== ''));
}

function idParam(c: Context<AppEnv>, shape: RegExp): string {
  const id = c.req.param('id') ?? '';
  if (!shape.test(id)) throw new AppError(404, 'not_found', `${id} is not an id of this kind.`);
  return id;
}
