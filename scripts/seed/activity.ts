import type { HaipaiClient } from '../../clients/typescript/src/index.js';
import type { Catalogue } from './catalogue.js';
import {
  acceptOffer,
  auction,
  bid,
  buy,
  commit,
  DAY,
  edition,
  fromNow,
  gift,
  HOUR,
  type Listing,
  list,
  mint,
  offer,
  topUp,
  until,
} from './market.js';

/** How long the auctions meant to end during the seed stay open (and, for sealed bids, in reveal). */
const SHORT_AUCTION_MS = 15_000;

export interface MarketSummary {
  trades: number;
  openListings: number;
  liveAuctions: number;
}

/**
 * A market that has been running a while: editions under both presets, gifts, fixed-price sales
 * (primary and secondary), an accepted and an open offer, English, Dutch and sealed-bid auctions
 * still running, and one of each that ends (with a winner) while the seed runs. Prices in CNY fen.
 */
export async function seedMarket(operator: HaipaiClient, c: Catalogue): Promise<MarketSummary> {
  const { people: a, byTitle: w } = c;
  const as = (accountId: string) => c.platformOf.get(accountId)!;
  let trades = 0;
  const sold = async (listing: Listing, buyerId: string) => {
    const trade = await buy(as(buyerId), listing.id, buyerId);
    if (trade.status !== 'settled') throw new Error(`trade ${trade.id} is ${trade.status}`);
    trades++;
    console.log(
      `sold      ${(trade.price / 100).toFixed(2).padStart(8)} ${trade.currency}  ${listing.kind} listing ${listing.id}`,
    );
  };

  for (const buyer of [a.wuQing, a.gaoMei, a.chenLi, a.suXiao, a.liLei, a.hanMei]) await topUp(operator, buyer, 2_000_000);

  // Editions: the open market for fashion, the mainland collectible rules for two works.
  const ed = {
    qipao: await edition(as(a.linYue), w.qipao.id, { size: 100, preset: 'open_market', royaltyBps: 500 }),
    qipaoNight: await edition(as(a.zhouHang), w.qipaoNight.id, { size: 30, preset: 'open_market', royaltyBps: 800 }),
    haihai: await edition(as(a.linYue), w.haihai.id, { size: 50, preset: 'mainland_collectible' }),
    shikumen: await edition(as(a.wangFang), w.shikumen.id, { size: 200, preset: 'mainland_collectible' }),
    neonRoad: await edition(as(a.neonStudio), w.neonRoad.id, { size: 50, preset: 'open_market', royaltyBps: 1000 }),
    cyberHanfu: await edition(as(a.neonStudio), w.cyberHanfu.id, { size: 20, preset: 'open_market', royaltyBps: 300 }),
    xiaolong: await edition(as(a.wangFang), w.xiaolong.id, { size: 10, preset: 'open_market', royaltyBps: 600 }),
    alleyCat: await edition(as(a.suXiao), w.alleyCat.id, { size: 40, preset: 'open_market', royaltyBps: 500 }),
  };
  const qipao = await mint(as(a.linYue), ed.qipao.id, 8, a.linYue);
  const night = await mint(as(a.zhouHang), ed.qipaoNight.id, 4, a.zhouHang);
  const neon = await mint(as(a.neonStudio), ed.neonRoad.id, 4, a.neonStudio);
  const hanfu = await mint(as(a.neonStudio), ed.cyberHanfu.id, 4, a.neonStudio);
  const chef = await mint(as(a.wangFang), ed.xiaolong.id, 3, a.wangFang);
  const cats = await mint(as(a.suXiao), ed.alleyCat.id, 2, a.suXiao);
  await mint(as(a.linYue), ed.haihai.id, 3, a.linYue);

  // The auctions that end during the seed go first, so their bids are in well before the end.
  const englishEnding = await list(as(a.zhouHang), {
    kind: 'english',
    sellerId: a.zhouHang,
    unitId: night[0],
    currency: 'CNY',
    startPrice: 15_000,
    minIncrement: 500,
    antiSnipeSeconds: 0,
    endsAt: fromNow(SHORT_AUCTION_MS),
  });
  await bid(as(a.wuQing), englishEnding.id, a.wuQing, 15_000);
  await bid(as(a.chenLi), englishEnding.id, a.chenLi, 16_000);
  await bid(as(a.wuQing), englishEnding.id, a.wuQing, 17_500);
  const sealedEnding = await list(as(a.linYue), {
    kind: 'sealed',
    sellerId: a.linYue,
    unitId: qipao[6],
    currency: 'CNY',
    reservePrice: 10_000,
    endsAt: fromNow(SHORT_AUCTION_MS),
    revealEndsAt: fromNow(2 * SHORT_AUCTION_MS),
  });
  const reveals = [
    await commit(as(a.gaoMei), sealedEnding.id, a.gaoMei, 18_800),
    await commit(as(a.suXiao), sealedEnding.id, a.suXiao, 21_000),
  ];
  await commit(as(a.liLei), sealedEnding.id, a.liLei, 15_000); // never revealed: it forfeits
  const dutchExpiring = await list(as(a.neonStudio), {
    kind: 'dutch',
    sellerId: a.neonStudio,
    unitId: neon[3],
    currency: 'CNY',
    startPrice: 90_000,
    floorPrice: 60_000,
    endsAt: fromNow(SHORT_AUCTION_MS),
  });

  // Gifts between collectors (open market: any time).
  await gift(as(a.linYue), qipao[0]!, a.linYue, a.wuQing);
  await gift(as(a.linYue), qipao[1]!, a.linYue, a.gaoMei);
  await gift(as(a.neonStudio), neon[0]!, a.neonStudio, a.chenLi);

  // Fixed-price sales, secondary (a collector resells) and primary (the rights holder sells new units).
  const base = { kind: 'fixed', currency: 'CNY' } as const;
  await sold(await list(as(a.wuQing), { ...base, sellerId: a.wuQing, unitId: qipao[0], price: 12_800 }), a.liLei);
  await sold(await list(as(a.linYue), { ...base, sellerId: a.linYue, unitId: qipao[2], price: 8_800 }), a.chenLi);
  await sold(await list(as(a.chenLi), { ...base, sellerId: a.chenLi, unitId: neon[0], price: 6_600 }), a.hanMei);
  await sold(await list(as(a.zhouHang), { ...base, sellerId: a.zhouHang, unitId: night[1], price: 23_800 }), a.gaoMei);
  await sold(await list(as(a.wangFang), { ...base, sellerId: a.wangFang, unitId: chef[0], price: 52_000 }), a.suXiao);
  const shikumen = await list(as(a.wangFang), {
    ...base,
    sellerId: a.wangFang,
    editionId: ed.shikumen.id,
    quantity: 50,
    price: 9_900,
  });
  for (const buyer of [a.liLei, a.hanMei, a.wuQing]) await sold(shikumen, buyer);
  const haihai = await list(as(a.linYue), { ...base, sellerId: a.linYue, editionId: ed.haihai.id, quantity: 10, price: 19_900 });
  await sold(haihai, a.chenLi);

  // Offers outside listings: one accepted (a settled trade), one still open.
  const accepted = await offer(as(a.gaoMei), hanfu[1]!, a.gaoMei, 15_000);
  const { trade } = await acceptOffer(as(a.neonStudio), accepted.id, a.neonStudio);
  if (trade.status !== 'settled') throw new Error(`the accepted offer's trade is ${trade.status}`);
  trades++;
  await offer(as(a.hanMei), qipao[3]!, a.hanMei, 30_000);

  // A Dutch auction bought at its current price: it ends at once.
  await sold(
    await list(as(a.neonStudio), {
      kind: 'dutch',
      sellerId: a.neonStudio,
      unitId: hanfu[2],
      currency: 'CNY',
      startPrice: 50_000,
      floorPrice: 20_000,
      endsAt: fromNow(HOUR),
    }),
    a.liLei,
  );

  // What stays on the board: fixed listings at varied prices and auctions running for days.
  let openListings = 0;
  const open = async (accountId: string, unitId: string, price: number) => {
    await list(as(accountId), { ...base, sellerId: accountId, unitId, price });
    openListings++;
  };
  await open(a.linYue, qipao[4]!, 15_800);
  await open(a.zhouHang, night[2]!, 25_800);
  await open(a.neonStudio, hanfu[0]!, 39_900);
  await open(a.wangFang, chef[1]!, 88_800);
  await open(a.suXiao, cats[0]!, 4_500);
  await open(a.liLei, qipao[0]!, 16_800); // bought above, offered again
  await list(as(a.suXiao), { ...base, sellerId: a.suXiao, editionId: ed.alleyCat.id, quantity: 20, price: 3_800 });
  openListings += 3; // the two primary listings above still have units, and this one

  const english = await list(as(a.linYue), {
    kind: 'english',
    sellerId: a.linYue,
    unitId: qipao[5],
    currency: 'CNY',
    startPrice: 10_000,
    reservePrice: 15_000,
    minIncrement: 1_000,
    endsAt: fromNow(2 * DAY),
  });
  await bid(as(a.chenLi), english.id, a.chenLi, 10_000);
  await bid(as(a.hanMei), english.id, a.hanMei, 12_000);
  await bid(as(a.liLei), english.id, a.liLei, 14_000);
  await list(as(a.neonStudio), {
    kind: 'dutch',
    sellerId: a.neonStudio,
    unitId: neon[1],
    currency: 'CNY',
    startPrice: 30_000,
    floorPrice: 8_000,
    endsAt: fromNow(3 * DAY),
  });
  const sealed = await list(as(a.wangFang), {
    kind: 'sealed',
    sellerId: a.wangFang,
    unitId: chef[2],
    currency: 'CNY',
    reservePrice: 20_000,
    endsAt: fromNow(2 * DAY),
    revealEndsAt: fromNow(3 * DAY),
  });
  await commit(as(a.suXiao), sealed.id, a.suXiao, 26_000);
  await commit(as(a.gaoMei), sealed.id, a.gaoMei, 31_000);
  openListings += 3;

  // Let the short auctions end: reveal the sealed bids, then read each outcome (reading closes it).
  console.log(`waiting for three auctions to end (until ${sealedEnding.revealEndsAt})`);
  await until(sealedEnding.endsAt);
  for (const reveal of reveals) await reveal();
  for (const { listing, expect } of [
    { listing: englishEnding, expect: 'won' },
    { listing: sealedEnding, expect: 'won' },
  ]) {
    await until(listing.kind === 'sealed' ? listing.revealEndsAt : listing.endsAt);
    const result = await auction(operator, listing.id);
    if (result.outcome?.result !== expect || result.outcome.tradeStatus !== 'settled') {
      throw new Error(`the ${listing.kind} auction ${listing.id} ended ${JSON.stringify(result.outcome)}`);
    }
    trades++;
    console.log(
      `auction   ${((result.outcome.amount ?? 0) / 100).toFixed(2).padStart(8)} CNY  ${listing.kind} listing ${listing.id} won`,
    );
  }
  await until(dutchExpiring.endsAt); // nobody bought: it reads as expired from now on

  return { trades, openListings, liveAuctions: 3 };
}
