import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './support/harness.js';
import { marketWorld } from './support/market.js';

/*
 * Purchases that share balance rows — one platform's fee, one creator's royalty, accounts that are
 * buyers in one trade and sellers in another, sellers whose balance row does not exist yet — all at
 * once. On PostgreSQL these are real parallel transactions: none may be chosen as a deadlock victim
 * (503 transaction_conflict), and the money must add up. On PGlite they run one at a time.
 */
let t: TestApp;
let m: ReturnType<typeof marketWorld>;
beforeAll(async () => {
  t = await startTestApp({ NOTICE_PERIOD: '0' });
  m = marketWorld(t);
});
afterAll(async () => t?.close());

describe('concurrent purchases', () => {
  it('settle every purchase without a deadlock, and the money adds up', async () => {
    const PRICE = 1000;
    const { p, creator, edition } = await m.work({ size: 200, royaltyBps: 700 });
    // Traders buy and sell; fresh sellers have never had a balance row.
    const traders = await m.accounts(p, 8);
    const fresh = await m.accounts(p, 4);
    for (const a of traders) await m.topUp(a, PRICE * 20);
    const owners = [...traders, ...fresh];
    const listings: { id: string; seller: string }[] = [];
    for (const [i, owner] of owners.entries()) {
      const minted = m.ok(
        await t.call('POST', `/v1/editions/${edition.id}/mint`, { key: p.key, body: { count: 4, toAccountId: owner } }),
        201,
      ).units as { id: string }[];
      for (const u of minted) {
        const l = await m.list(p, { kind: 'fixed', sellerId: owner, unitId: u.id, price: PRICE + i });
        listings.push({ id: l.id, seller: owner });
      }
    }
    // Each listing is bought by a trader other than its seller, all at once.
    const orders = listings.map((l, i) => {
      const candidates = traders.filter((a) => a !== l.seller);
      return { listing: l, buyer: candidates[i % candidates.length]! };
    });
    const results = await Promise.all(orders.map((o) => m.buy(p, o.listing.id, o.buyer)));
    const statuses = results.map((r) => `${r.status} ${r.body.code ?? ''}`.trim());
    expect(
      statuses.filter((s) => s !== '201'),
      statuses.join(', '),
    ).toEqual([]);

    // Every unit went to its buyer, and the balances hold exactly what was topped up.
    for (const [i, o] of orders.entries()) {
      expect(results[i]!.body).toMatchObject({ buyerId: o.buyer, status: 'settled' });
      expect(await m.owner(results[i]!.body.unitId)).toBe(o.buyer);
    }
    const holders = [...owners, creator];
    const balances = await Promise.all(holders.map((h) => m.balance(h)));
    const platformBalance = m.ok(await t.call('GET', `/v1/balances/${p.id}`, { key: p.key }), 200).balances[0]?.amount ?? 0;
    const total = balances.reduce((s, b) => s + b, 0) + platformBalance;
    expect(total).toBe(PRICE * 20 * traders.length);
    const trades = m.ok(await t.call('GET', '/v1/board/trades?limit=100'), 200).data;
    expect(trades).toHaveLength(listings.length);
  });
});

// A purchase reads the work's royalty split in the statement that share-locks the work. If a case
// is changing the work (a transfer of rights and credits) when it comes, it waits for the lock,
// and must then pay the creators the work has once the change commits, not those of the snapshot
// its statement started with. PGlite runs one transaction at a time, so this needs PostgreSQL.
describe.skipIf(!process.env.DATABASE_URL)('a purchase that waits on a change of its work', () => {
  it('pays the royalty to the creators the work has when the lock is granted', async () => {
    const { p, creator, asset, edition } = await m.work({ royaltyBps: 1000 });
    const [seller, buyer, heir] = await m.accounts(p, 3);
    await m.topUp(buyer!, 10_000);
    const [unit] = m.ok(
      await t.call('POST', `/v1/editions/${edition.id}/mint`, { key: p.key, body: { count: 1, toAccountId: seller } }),
      201,
    ).units as { id: string }[];
    const listing = await m.list(p, { kind: 'fixed', sellerId: seller, unitId: unit!.id, price: 1000 });

    let purchase: ReturnType<typeof m.buy> | undefined;
    // What a case's transfer of rights with credits writes (cases/effects.service.ts), held open
    // until the purchase is seen waiting for this transaction.
    await t.deps.db.transaction().execute(async (trx) => {
      await trx.updateTable('assets').set({ rights_holder_id: heir! }).where('id', '=', asset.id).execute();
      await trx.deleteFrom('asset_creators').where('asset_id', '=', asset.id).execute();
      await trx
        .insertInto('asset_creators')
        .values({ asset_id: asset.id, account_id: heir!, role: 'designer', share_bps: 10000, position: 0 })
        .execute();
      const { rows } = await sql<{ xid: string }>`select pg_current_xact_id()::text as xid`.execute(trx);
      purchase = m.buy(p, listing.id, buyer!);
      await expect
        .poll(async () => {
          const waiting = await sql<{ n: number }>`
            select count(*)::int as n from pg_locks
            where locktype = 'transactionid' and transactionid::text = ${rows[0]!.xid} and not granted`.execute(t.deps.db);
          return waiting.rows[0]!.n;
        })
        .toBe(1);
    });
    m.ok(await purchase!, 201);
    // 10 % of 1000, all to the work's creator after the change.
    expect(await m.balance(heir!)).toBe(100);
    expect(await m.balance(creator)).toBe(0);
  });
});
