import { createHash } from 'node:crypto';
import { type HaipaiClient, idempotent, type RequestBody, type Schemas, unwrap } from '../../clients/typescript/src/index.js';
import type { Catalogue } from './catalogue.js';
import { DAY, fromNow, topUp } from './market.js';
import type { Platform } from './registry.js';

type OfferInput = RequestBody<'/v1/assets/{id}/licence-offers', 'post'>;

async function offer(p: Platform, assetId: string, body: OfferInput): Promise<Schemas['LicenceOffer']> {
  return unwrap(
    await p.api.POST('/v1/assets/{id}/licence-offers', { params: { path: { id: assetId } }, body, headers: idempotent() }),
  );
}

async function accept(p: Platform, offerId: string, licenseeId: string): Promise<Schemas['LicenceGrant']> {
  return unwrap(
    await p.api.POST('/v1/licence-offers/{id}/accept', {
      params: { path: { id: offerId } },
      body: { licenseeId },
      headers: idempotent(),
    }),
  );
}

export interface LicensingSummary {
  grants: number;
  reports: number;
}

/**
 * Licensing activity: the qipao licensed exclusively worldwide as a game skin (to Neon Studio) and
 * non-exclusively for advertising in CN and HK (to Gao Mei), a first royalty report on the game
 * licence settled through the ledger, and a sole virtual-performance offer of Haihai named to Neon
 * Studio and left open. Amounts in CNY fen.
 */
export async function seedLicensing(operator: HaipaiClient, c: Catalogue): Promise<LicensingSummary> {
  const { people: a, byTitle: w } = c;
  const as = (accountId: string) => c.platformOf.get(accountId)!;
  await topUp(operator, a.neonStudio, 2_000_000);

  const conditions = createHash('sha256').update('Skin may not be sold outside the game; credits name Lin Yue.').digest('hex');
  const game = await offer(as(a.linYue), w.qipao.id, {
    uses: ['game_item', 'derivative_design'],
    territories: ['worldwide'],
    startsAt: fromNow(0),
    endsAt: fromNow(365 * DAY),
    exclusivity: 'exclusive',
    currency: 'CNY',
    upfrontFee: 500_000,
    royaltyBps: 800,
    minimumGuarantee: 200_000,
    creatorShareBps: 3000,
    derivativesAllowed: true,
    derivativeRoyaltyBps: 1500,
    conditionsSha256: conditions,
    reportEveryDays: 90,
    renewable: true,
  });
  const ads = await offer(as(a.linYue), w.qipao.id, {
    uses: ['advertising'],
    territories: ['CN', 'HK'],
    startsAt: fromNow(0),
    endsAt: fromNow(180 * DAY),
    exclusivity: 'non_exclusive',
    currency: 'CNY',
    upfrontFee: 80_000,
    royaltyBps: 0,
    creatorShareBps: 3000,
  });
  await offer(as(a.linYue), w.haihai.id, {
    uses: ['virtual_performance'],
    territories: ['JP', 'KR'],
    startsAt: fromNow(7 * DAY),
    endsAt: fromNow(97 * DAY),
    exclusivity: 'sole',
    currency: 'CNY',
    upfrontFee: 300_000,
    royaltyBps: 1200,
    creatorShareBps: 0,
    openTo: [a.neonStudio],
  });

  const gameGrant = await accept(as(a.neonStudio), game.id, a.neonStudio);
  const adsGrant = await accept(as(a.gaoMei), ads.id, a.gaoMei);
  for (const g of [gameGrant, adsGrant]) {
    console.log(
      `licensed  ${(g.upfrontFee / 100).toFixed(2).padStart(8)} ${g.currency}  ${g.exclusivity} ${g.uses.join('+')} in ${g.territories.join(',')}: grant ${g.id}`,
    );
  }

  // The first weeks of in-game sales (the period so far), settled at once from Neon Studio's balance.
  const report = unwrap(
    await as(a.neonStudio).api.POST('/v1/licence-grants/{id}/royalty-reports', {
      params: { path: { id: gameGrant.id } },
      body: { periodEnd: new Date().toISOString(), lines: [{ currency: 'CNY', revenue: 1_250_000 }] },
      headers: idempotent(),
    }),
  );
  console.log(`royalty   ${(report.lines[0]!.royalty / 100).toFixed(2).padStart(8)} CNY  on grant ${gameGrant.id}`);
  return { grants: 2, reports: 1 };
}
