import { sha256, toHex } from '../../crypto/bytes.js';

/**
 * The board's name for a trading party: `p_` + the first 16 hex digits (64 bits) of
 * SHA-256("haipai-board:" ‖ account id). Stable, so anyone can follow one party's trades across
 * the board, and it shows no account id.
 *
 * It is a pseudonym, not an anonymiser, and deliberately keyless: account ids are ULIDs with 80
 * random bits, so nobody recovers an id by guessing, but whoever already knows an id can compute
 * its pseudonym. That adds nothing to what the public log already shows: every `trade.settled`
 * event (the board gives its `logIndex`) names buyer and seller by account id, and account ids are
 * themselves pseudonymous (events carry identifiers, never names or KYC data: docs/architecture.md). A
 * secret key would not hide more while the log is public, and would change every pseudonym if
 * it were ever rotated. 64 bits keep collisions negligible at any realistic number of accounts.
 */
export async function boardPseudonym(accountId: string): Promise<string> {
  return remembered.get(accountId) ?? computePseudonym(accountId);
}

/**
 * The pseudonyms of many parties (a page of trades names two per row), keyed by account id.
 * Parties seen before cost a map lookup each; only the others wait for a digest.
 */
export async function boardPseudonyms(accountIds: readonly string[]): Promise<Map<string, string>> {
  const names = new Map<string, string>();
  const missing: string[] = [];
  for (const id of accountIds) {
    if (names.has(id)) continue;
    const known = remembered.get(id);
    if (known === undefined) missing.push(id);
    else names.set(id, known);
  }
  if (missing.length > 0) {
    const computed = await Promise.all([...new Set(missing)].map(async (id) => [id, await computePseudonym(id)] as const));
    for (const [id, pseudonym] of computed) names.set(id, pseudonym);
  }
  return names;
}

async function computePseudonym(accountId: string): Promise<string> {
  const pseudonym = `p_${toHex(await sha256(`haipai-board:${accountId}`)).slice(0, 16)}`;
  if (remembered.size >= REMEMBERED_MAX) remembered.clear();
  remembered.set(accountId, pseudonym);
  return pseudonym;
}

/**
 * Pseudonyms already computed. The function is pure, so remembering is safe; the board's trades
 * page names two parties per row on every read, and in `npm run bench:trade`'s CPU profile these
 * digests were the board's largest cost after the database. Bounded: cleared when full.
 */
const remembered = new Map<string, string>();
const REMEMBERED_MAX = 10_000;
