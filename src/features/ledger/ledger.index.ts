import type { Db } from '../../db/database.js';
import { requirePrincipal } from '../../http/auth.js';
import type { Principal } from '../../http/env.js';
import { decodeCursor, toPage } from '../../http/pagination.js';
import { notFound } from '../../http/problem.js';
import { createRouter } from '../../http/router.js';
import { mayActFor } from '../parties/access.js';
import { balancesOf, EXTERNAL, journalWithPostings, postJournal, statementRows } from './ledger.repo.js';
import * as routes from './ledger.routes.js';

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
      // A folded line's cursor is its place in balance order; a pending line's is `p` and its posting id.
      const cursor = decodeCursor(after, /^p?\d{1,19}$/);
      const rows = await statementRows(db, holderId, currency, {
        after:
          cursor === undefined
            ? undefined
            : cursor.startsWith('p')
              ? { pendingAfter: BigInt(cursor.slice(1)) }
              : { appliedAfter: BigInt(cursor) },
        limit,
      });
      return c.json(
        toPage(
          rows,
          limit,
          (r) => (r.applied_seq === null ? `p${r.id}` : String(r.applied_seq)),
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
