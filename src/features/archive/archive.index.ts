import { requirePrincipal } from '../../http/auth.js';
import { notFound } from '../../http/problem.js';
import { createRouter } from '../../http/router.js';
import * as routes from './archive.routes.js';
import { gatherCase } from './case-export.js';
import { attachment, exportArchive } from './export.service.js';
import type { HoldingsScope } from './holdings.js';
import { gatherHoldings } from './holdings.js';

export function archiveRouter() {
  return createRouter()
    .openapi(routes.holdingsExport, async (c) => {
      const principal = requirePrincipal(c, 'platform', 'account', 'operator');
      const deps = c.get('deps');
      const { platformId, accountId } = c.req.valid('query');
      // Each key sees only what it acts for; another platform's ids are the same 404 as unknown ones.
      let scope: HoldingsScope;
      if (principal.kind === 'operator') scope = { platformId, accountId };
      else if (principal.kind === 'platform') {
        if (platformId && platformId !== principal.id) throw notFound('platform', platformId);
        scope = { platformId: principal.id, accountId };
      } else {
        if (platformId) throw notFound('platform', platformId);
        if (accountId && accountId !== principal.id) throw notFound('account', accountId);
        scope = { accountId: principal.id };
      }
      const archive = await exportArchive(deps, async (trx) => {
        if (
          scope.platformId &&
          !(await trx.selectFrom('platforms').select('id').where('id', '=', scope.platformId).executeTakeFirst())
        ) {
          throw notFound('platform', scope.platformId);
        }
        if (scope.accountId) {
          const account = await trx
            .selectFrom('accounts')
            .select('platform_id')
            .where('id', '=', scope.accountId)
            .executeTakeFirst();
          if (!account || (scope.platformId && account.platform_id !== scope.platformId))
            throw notFound('account', scope.accountId);
        }
        return gatherHoldings(trx, scope);
      });
      const stem = `holdings-${scope.accountId ?? scope.platformId ?? 'all'}`;
      return c.body(archive.bytes as Uint8Array<ArrayBuffer>, 200, {
        'content-type': 'application/x-tar',
        'content-disposition': attachment(stem, archive),
      });
    })
    .openapi(routes.caseExport, async (c) => {
      const principal = requirePrincipal(c);
      const { id } = c.req.valid('param');
      const archive = await exportArchive(c.get('deps'), (trx) => gatherCase(trx, principal, id));
      return c.body(archive.bytes as Uint8Array<ArrayBuffer>, 200, {
        'content-type': 'application/x-tar',
        'content-disposition': attachment(`case-${id}`, archive),
      });
    });
}
