import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './support/harness.js';
import { marketWorld } from './support/market.js';

// A takedown racing purchases of the same work, as concurrent requests (on real PostgreSQL with
// DATABASE_URL; PGlite runs them one at a time). Whatever the interleaving: no sale of the work
// settles after its revocation, every purchase either settled before it or was refused with
// `work_revoked`, nothing is left reserved or listed, and money is conserved.
let t: TestApp;
let m: ReturnType<typeof marketWorld>;
beforeAll(async () => {
  t = await startTestApp({ NOTICE_PERIOD: '0', CASE_APPEAL_DAYS: '0' });
  m = marketWorld(t);
});
afterAll(async () => t?.close());

describe('concurrent casework requests', () => {
  it('officials opening cases on one work at once: one case, the others 409 case_open', async () => {
    const w = await m.work();
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        t.call('POST', '/v1/cases', { key: w.off.key, body: { assetId: w.asset.id, courtReference: `Order ${i}` } }),
      ),
    );
    expect(results.filter((r) => r.status === 201)).toHaveLength(1);
    for (const r of results.filter((x) => x.status !== 201)) expect(r.body.code).toBe('case_open');
  });

  it('the same complaint filed at once: one complaint, the others 409 complaint_exists', async () => {
    const w = await m.work();
    const p2 = await m.platform('Originals');
    const holder = await m.account(p2);
    const results = await Promise.all(
      Array.from({ length: 6 }, () =>
        t.call('POST', '/v1/complaints', {
          key: p2.key,
          body: {
            assetId: w.asset.id,
            complainantId: holder,
            statement: 'Copied',
          },
        }),
      ),
    );
    // Without an earlier work or evidence every one is refused the same way, before any write.
    for (const r of results) expect(r.body.code).toBe('evidence_required');
    const earlier = await m.registeredAsset(p2, w.off, holder);
    const filed = await Promise.all(
      Array.from({ length: 6 }, () =>
        t.call('POST', '/v1/complaints', {
          key: p2.key,
          body: { assetId: w.asset.id, complainantId: holder, earlierAssetId: earlier.id, statement: 'Copied' },
        }),
      ),
    );
    expect(filed.filter((r) => r.status === 201)).toHaveLength(1);
    for (const r of filed.filter((x) => x.status !== 201)) expect(r.body.code).toBe('complaint_exists');
  });
});

describe('a determination racing purchases', () => {
  for (const round of [1, 2, 3, 4, 5, 6]) {
    it(`round ${round}: never a sale of a taken-down work; money conserved`, async () => {
      const w = await m.work({ size: 40, royaltyBps: 500 });
      const sellers = await m.accounts(w.p, 4);
      const buyers = await m.accounts(w.p, 16);
      for (const b of buyers) await m.topUp(b, 10_000);
      const units = [];
      for (const s of sellers)
        units.push(...(await m.mint(w.p, w.edition.id, 2, s)).units.map((u: { id: string }) => ({ id: u.id, seller: s })));
      const secondary: { id: string }[] = [];
      for (const u of units) secondary.push(await m.list(w.p, { kind: 'fixed', sellerId: u.seller, unitId: u.id, price: 1000 }));
      const primary = await m.list(w.p, {
        kind: 'fixed',
        sellerId: w.creator,
        editionId: w.edition.id,
        quantity: 10,
        price: 700,
      });
      // A court-ordered case may be decided at once; with CASE_APPEAL_DAYS=0 the takedown takes effect in the same request.
      const opened = m.ok(
        await t.call('POST', '/v1/cases', {
          key: w.off.key,
          body: { assetId: w.asset.id, courtReference: `Court order ${round}` },
        }),
        201,
      );

      const purchases = buyers.map((b, i) => () => m.buy(w.p, i < 8 ? secondary[i]!.id : primary.id, b));
      const decision = () =>
        t.call('POST', `/v1/cases/${opened.id}/decision`, {
          key: w.off.key,
          body: { determination: 'takedown', reason: 'Court order' },
        });
      const at = (round - 1) * 3; // the decision starts among the purchases, at a different place each round
      const calls = [...purchases.slice(0, at), decision, ...purchases.slice(at)];
      const results = await Promise.all(calls.map((f) => f()));

      const decided = results[at]!;
      expect(decided.status, JSON.stringify(decided.body)).toBe(200);
      expect(decided.body).toMatchObject({ status: 'closed', determination: 'takedown' });
      const buys = results.filter((_, i) => i !== at);
      for (const r of buys) {
        if (r.status === 201) expect(r.body.status).toBe('settled');
        else expect([409, 503], JSON.stringify(r.body)).toContain(r.status);
        if (r.status === 409) expect(['work_revoked', 'listing_cancelled', 'listing_sold', 'sold_out']).toContain(r.body.code);
      }

      const db = t.deps.db;
      const revoked = await db
        .selectFrom('events')
        .select('seq')
        .where('type', '=', 'asset.revoked')
        .where('asset_id', '=', w.asset.id)
        .executeTakeFirstOrThrow();
      const settledEvents = await db
        .selectFrom('events')
        .select('seq')
        .where('type', '=', 'trade.settled')
        .where('asset_id', '=', w.asset.id)
        .execute();
      expect(settledEvents.length).toBe(buys.filter((r) => r.status === 201).length);
      for (const e of settledEvents) expect(BigInt(e.seq)).toBeLessThan(BigInt(revoked.seq));
      const settled = await db
        .selectFrom('trades')
        .innerJoin('units', 'units.id', 'trades.unit_id')
        .select(['trades.status', 'trades.settled_at'])
        .where('units.edition_id', '=', w.edition.id)
        .execute();
      expect(settled.filter((x) => x.status === 'reserved')).toEqual([]);
      const openListings = await db
        .selectFrom('listings')
        .select('id')
        .where('edition_id', '=', w.edition.id)
        .where('status', '=', 'open')
        .execute();
      expect(openListings).toEqual([]);
      const liveUnits = await db
        .selectFrom('units')
        .select('id')
        .where('edition_id', '=', w.edition.id)
        .where('frozen', '=', false)
        .execute();
      expect(liveUnits).toEqual([]);

      // Money: every buyer paid exactly for what it got; all balances add up to what was topped up.
      const everyone = [...buyers, ...sellers, w.creator, w.p.id];
      const total = (await Promise.all(everyone.map((h) => m.balance(h)))).reduce((a, b) => a + b, 0);
      expect(total).toBe(16 * 10_000);
      for (const [i, b] of buyers.entries()) {
        const paid = buys[i]!.status === 201 ? (i < 8 ? 1000 : 700) : 0;
        expect(await m.balance(b)).toBe(10_000 - paid);
      }
      const unbalanced = await sql<{
        n: string;
      }>`select count(*)::text as n from (select journal_id from postings group by journal_id having sum(amount) <> 0) j`.execute(
        db,
      );
      expect(unbalanced.rows[0]!.n).toBe('0');
    });
  }
});
