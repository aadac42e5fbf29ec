/**
 * `npm run seed`: fills a running instance with a living demo market through its own public API and
 * the typed client (clients/typescript), the way platforms and an official would: three platforms,
 * their creators and collectors, works of every kind and category (each with a freshly drawn
 * preview, so the seed runs any number of times and in any order with the README's walkthrough),
 * derivatives, editions under both presets, gifts, fixed-price sales, offers, and English, Dutch
 * and sealed-bid auctions that are still running and that have ended; licence offers, grants and a
 * royalty report.
 *
 * Reads HAIPAI (or BASE_URL; default http://127.0.0.1:8787) and OPERATOR_API_KEY, else the key in
 * DATA_DIR/operator-api-key (DATA_DIR default ./data). The server must run with NOTICE_PERIOD=0 so
 * works register at once. Takes about a minute: three auctions are left to end on their own.
 */
import { createHaipaiClient, ProblemError } from '../clients/typescript/src/index.js';
import { seedMarket } from './seed/activity.js';
import { seedCatalogue } from './seed/catalogue.js';
import { seedLicensing } from './seed/licensing.js';
import { checkReachable, SeedError, seedTarget } from './seed/target.js';

try {
  const target = await seedTarget();
  await checkReachable(target.baseUrl);
  const operator = createHaipaiClient({ baseUrl: target.baseUrl, apiKey: target.operatorKey });
  console.log(`seeding ${target.baseUrl} (operator key from ${target.keySource})`);
  const catalogue = await seedCatalogue(operator, target.baseUrl);
  const market = await seedMarket(operator, catalogue);
  const licensing = await seedLicensing(operator, catalogue);
  console.log(`
${catalogue.works.length} works registered, ${market.trades} trades settled, ${market.openListings} listings open, ${market.liveAuctions} auctions running, ${licensing.grants} licences granted, ${licensing.reports} royalty report settled.
board:  ${target.baseUrl}/v1/board/listings  ${target.baseUrl}/v1/board/trades  ${target.baseUrl}/v1/board/stats  ${target.baseUrl}/v1/board/licences
keys:   ${catalogue.platforms.map((p) => `${p.name}: ${p.key}`).join('\n        ')}
        official: ${catalogue.officialKey}`);
} catch (err) {
  if (err instanceof SeedError || err instanceof ProblemError) {
    console.error(`seed: ${err.message}`);
    process.exit(1);
  }
  throw err;
}
