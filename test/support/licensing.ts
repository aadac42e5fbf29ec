import type { TestApp } from './harness.js';
import { marketWorld } from './market.js';

type Key = { key: string; id: string };
const DAY_MS = 86_400_000;

/** Builders for the licensing tests: a registered work with a designer, offers, acceptances, reports. */
export function licensingWorld(t: TestApp) {
  const m = marketWorld(t);
  const at = (days: number) => new Date(t.clock.now().getTime() + days * DAY_MS).toISOString();

  /** A platform, a rights holder and a separate designer (the only creator), and their registered work. */
  async function licensableWork(opts: { licence?: Record<string, unknown>; p?: Key } = {}) {
    const p = opts.p ?? (await m.platform());
    const off = await m.official();
    const holder = await m.account(p);
    const designer = await m.account(p);
    const asset = await m.registeredAsset(p, off, holder, {
      creators: [{ accountId: designer, role: 'designer', shareBps: 10000 }],
      ...(opts.licence ? { licence: opts.licence } : {}),
    });
    return { p, off, holder, designer, asset };
  }

  function offerBody(over: Record<string, unknown> = {}) {
    return {
      uses: ['game_item'],
      territories: ['CN'],
      startsAt: at(0),
      endsAt: at(365),
      exclusivity: 'exclusive',
      currency: 'CNY',
      upfrontFee: 10_000,
      royaltyBps: 800,
      minimumGuarantee: 0,
      creatorShareBps: 2000,
      ...over,
    };
  }

  async function offer(p: { key: string }, assetId: string, over: Record<string, unknown> = {}) {
    return t.call('POST', `/v1/assets/${assetId}/licence-offers`, { key: p.key, body: offerBody(over) });
  }

  async function accept(p: { key: string }, offerId: string, licenseeId: string, extra: Record<string, unknown> = {}) {
    return t.call('POST', `/v1/licence-offers/${offerId}/accept`, { key: p.key, body: { licenseeId, ...extra } });
  }

  async function report(p: { key: string }, grantId: string, periodEnd: string, lines: { currency: string; revenue: number }[]) {
    return t.call('POST', `/v1/licence-grants/${grantId}/royalty-reports`, { key: p.key, body: { periodEnd, lines } });
  }

  async function eventsOfType(type: string) {
    const rows = await t.deps.db.selectFrom('events').select(['entry']).where('type', '=', type).orderBy('seq').execute();
    return rows.map((r) => JSON.parse(r.entry) as Record<string, unknown>);
  }

  return { ...m, at, licensableWork, offerBody, offer, accept, report, eventsOfType };
}
