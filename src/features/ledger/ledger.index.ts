import type { Db } from '../../db/database.js';
import { requirePrincipal } from '../../http/auth.js';
import type { Principal } from '../../http/env.js';
import { decodeCursor, toPage } from '../../http/pagination.js';
import { badRequest, notFound } from '../../http/problem.js';
import { createRouter } from '../../http/router.js';
import { mayActFor } from '../parties/access.js';
import { balancesOf, EXTERNAL, journalWithPostings, postJournal } from './ledger.repo.js';
import * as routes from './ledger.routes.js';
import { STATEMENT_START, type StatementCursor, statementRows } from './statement.repo.js';

/** Who may see a holder's money: the operator, officials, the platform itself or its accounts' platform, the account itself. */
async function checkHolderVisible(db: Db, principal: Principal, holderId: string) {
  if (principal.kind === 'operator' || principal.kind === 'official') return;
  if (holderId.startsWith('plt_')) {
    if (principal.kind === 'platform' && principal.id === holderId) return;
    throw notFound('platform', holderId);
  }
  const account = await db.selectFrom('accounts').select(['id', 'platform_id']).where('id', '=', holderId).executeTakeFirst();
  if (!account || !mayActFor(principal, account)) throw notFound('account', holderId);
}

function presentJournal(j: NonNullable<Awaited<ReturnType<typeof journalWithPostings>>>) {
  return {
    id: j.journal.id,
    kind: j.journal.kind,
    currency: j.journal.currency,
    tradeId: j.journal.trade_id,
    reverses: j.journal.reverses,
    memo: j.journal.memo,
    createdAt: j.journal.created_at.toISOString(),
    postings: j.postings.map((p) => ({ holder: p.holder, role: p.role, amount: Number(p.amount) })),
  };
}

export function ledgerRouter() {
  return createRouter()
    .openapi(routes.topUp, async (c) => {
      requirePrincipal(c, 'operator');
      const { db, clock } = c.get('deps');
      const input = c.req.valid('json');
      const table = input.holderId.startsWith('plt_') ? 'platforms' : 'accounts';
      const exists = await db.selectFrom(table).select('id').where('id', '=', input.holderId).executeTakeFirst();
      if (!exists) throw notFound('holder', input.holderId);
      const id = await db.transaction().execute((trx) =>
        postJournal(
          trx,
          {
            kind: 'topup',
            currency: input.currency,
            memo: input.memo,
            postings: [
              { holder: EXTERNAL, role: 'topup_source', amount: -BigInt(input.amount) },
              { holder: input.holderId, role: 'topup', amount: BigInt(input.amount) },
            ],
          },
          clock.now(),
        ),
      );
      return c.json(presentJournal((await journalWithPostings(db, id))!), 201);
    })
    .openapi(routes.getBalances, async (c) => {
      const principal = requirePrincipal(c);
      const { db } = c.get('deps');
      const { holderId } = c.req.valid('param');
      await checkHolderVisible(db, principal, holderId);
      const rows = await balancesOf(db, holderId);
      return c.json(
        { holderId, balances: rows.map((b) => ({ currency: b.currency, amount: Number(b.amount), owed: Number(b.owed) })) },
        200,
      );
    })
    .openapi(routes.getJournal, async (c) => {
      const principal = requirePrincipal(c);
      const { db } = c.get('deps');
      const { id } = c.req.valid('param');
      const journal = await journalWithPostings(db, id);
      if (!journal) throw notFound('journal', id);
      if (principal.kind !== 'operator' && principal.kind !== 'official') {
        const visible = await Promise.all(
          journal.postings.map((p) =>
            p.holder === EXTERNAL
              ? false
              : checkHolderVisible(db, principal, p.holder).then(
                  () => true,
                  () => false,
                ),
          ),
        );
        if (!visible.some(Boolean)) throw notFound('journal', id);
      }
      return c.json(presentJournal(journal), 200);
    })
    .openapi(routes.statement, async (c) => {
      const principal = requirePrincipal(c);
      const { db } = c.get('deps');
      const { holderId } = c.req.valid('param');
      const { currency, after, limit } = c.req.valid('query');
      await checkHolderVisible(db, principal, holderId);
      const rows = await statementRows(db, holderId, currency, { after: statementCursor(after), limit });
      return c.json(
        toPage(
          rows,
          limit,
          (r) => `${r.cursor.appliedAfter}.${r.cursor.pendingAfter}`,
          (r) => ({
            journalId: r.journal_id,
            kind: r.kind,
            tradeId: r.trade_id,
            role: r.role,
            amount: Number(r.amount),
            balanceAfter: Number(r.balance_after),
            pending: r.applied_seq === null,
            at: r.created_at.toISOString(),
          }),
        ),
        200,
      );
    });
}

/** PostgreSQL's largest bigint: past every folded line. */
const MAX_BIGINT = 9223372036854775807n;

/**
 * A statement cursor: `<last folded line's place>.<last pending line's posting id>`. Cursors issued
 * before pending lines carried both (`<place>` alone, or `p<posting id>` once among the pending
 * lines) still continue their walk as they did.
 */
function statementCursor(after: string | undefined): StatementCursor {
  const key = decodeCursor(after, /^(\d{1,19}(\.\d{1,19})?|p\d{1,19})$/);
  if (key === undefined) return STATEMENT_START;
  const [applied, pending] = key.startsWith('p') ? [MAX_BIGINT, BigInt(key.slice(1))] : key.split('.').map(BigInt);
  const cursor = { appliedAfter: applied!, pendingAfter: pending ?? 0n };
  if (cursor.appliedAfter > MAX_BIGINT || cursor.pendingAfter > MAX_BIGINT) {
    throw badRequest('invalid_cursor', 'The cursor is not one this API issued.');
  }
  return cursor;
}
