import { expect } from 'vitest';
import { OPERATOR_KEY, type TestApp } from './harness.js';
import { world } from './world.js';

type Key = { key: string };

/** Builders for the trade board tests: a registered work with an edition, listings, balances. */
export function marketWorld(t: TestApp) {
  const w = world(t);

  async function topUp(holderId: string, amount: number, currency = 'CNY') {
    return w.ok(await t.call('POST', '/v1/balances/top-ups', { key: OPERATOR_KEY, body: { holderId, currency, amount } }), 201);
  }

  async function balance(holderId: string, currency = 'CNY'): Promise<number> {
    const body = w.ok(await t.call('GET', `/v1/balances/${holderId}`, { key: OPERATOR_KEY }), 200);
    return body.balances.find((b: { currency: string }) => b.currency === currency)?.amount ?? 0;
  }

  /** A platform (fee 500 bps), an official, a creator (the rights holder) and a registered work with an edition. */
  async function work(
    opts: {
      preset?: string;
      policy?: Record<string, unknown>;
      royaltyBps?: number;
      size?: number;
      asset?: Record<string, unknown>;
      p?: Key & { id: string };
    } = {},
  ) {
    const p = opts.p ?? (await w.platform());
    const off = await w.official();
    const creator = await w.account(p);
    const asset = await w.registeredAsset(p, off, creator, opts.asset);
    const edition = w.ok(
      await t.call('POST', `/v1/assets/${asset.id}/editions`, {
        key: p.key,
        body: {
          size: opts.size ?? 10,
          preset: opts.preset ?? 'open_market',
          policy: opts.policy,
          royaltyBps: opts.royaltyBps ?? 0,
        },
      }),
      201,
    );
    return { p, off, creator, asset, edition };
  }

  async function accounts(p: Key, n: number, opts: { attested?: boolean; adult?: boolean } = {}) {
    const out: string[] = [];
    for (let i = 0; i < n; i += 20) {
      out.push(...(await Promise.all(Array.from({ length: Math.min(20, n - i) }, () => w.account(p, opts)))));
    }
    return out;
  }

  async function list(p: Key, body: Record<string, unknown>) {
    return w.ok(await t.call('POST', '/v1/listings', { key: p.key, body: { currency: 'CNY', ...body } }), 201);
  }

  async function buy(
    p: Key,
    listingId: string,
    buyerId: string,
    extra: { settle?: boolean; headers?: Record<string, string> } = {},
  ) {
    return t.call('POST', `/v1/listings/${listingId}/purchase`, {
      key: p.key,
      headers: extra.headers,
      body: { buyerId, ...(extra.settle === undefined ? {} : { settle: extra.settle }) },
    });
  }

  async function owner(unitId: string): Promise<string> {
    return w.ok(await t.call('GET', `/v1/units/${unitId}`), 200).ownerId;
  }

  /** Row counts of the market's tables and the event log: "nothing written" is these unchanged. */
  async function counts() {
    const db = t.deps.db;
    const n = async (table: 'listings' | 'trades' | 'offers' | 'events' | 'journals' | 'units' | 'unit_transfers') =>
      Number(
        (
          await db
            .selectFrom(table)
            .select((eb) => eb.fn.countAll<string>().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );
    return {
      listings: await n('listings'),
      trades: await n('trades'),
      offers: await n('offers'),
      events: await n('events'),
      journals: await n('journals'),
      units: await n('units'),
      transfers: await n('unit_transfers'),
    };
  }

  /** A 4xx problem with the given status and code. */
  function problem(res: { status: number; body: { code?: string } }, status: number, code: string) {
    expect(res.status, JSON.stringify(res.body)).toBe(status);
    expect(res.body.code, JSON.stringify(res.body)).toBe(code);
    return res.body as Record<string, unknown> & { code: string };
  }

  return { ...w, topUp, balance, work, accounts, list, buy, owner, counts, problem };
}
