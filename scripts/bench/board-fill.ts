import type postgres from 'postgres';

/**
 * Fills a migrated benchmark database with a board at scale, in plain SQL that satisfies every
 * constraint and trigger of the schema (nothing is disabled):
 *
 *   - one platform, 1,000 accounts, `listings / 100` registered works of every kind and category,
 *     each with one edition of 100 minted units;
 *   - `listings` open listings, one unit each: 40 % fixed price, 20 % Dutch, 20 % English (a third
 *     with two bids), 20 % sealed-bid, all running for the next 30 days;
 *   - every listing's board price sort key as a running server keeps it (schema/0026);
 *   - `trades` settled trades over the past year, each with its journal (a journal without postings:
 *     the money side is not what the board reads, and an empty journal balances), and the board's
 *     price histogram of them folded.
 */
export async function fillBoard(sql: postgres.Sql, listings: number, trades: number) {
  const works = Math.max(1, Math.ceil(listings / 100));
  const id = (prefix: string, expr: string) => `'${prefix}_' || lpad((${expr})::text, 26, '0')`;
  await sql.unsafe(`
    insert into platforms (id, name, fee_bps, created_at) values (${id('plt', '1')}, 'Bench', 500, now());
    insert into accounts (id, platform_id, kind, display_name, kyc_level, is_adult, attested_at, created_at)
      select ${id('acc', 'i')}, ${id('plt', '1')}, 'person', 'Bench ' || i, 'verified', true, now(), now()
      from generate_series(1, 1000) i;
    insert into assets (id, platform_id, kind, title, category, rights_holder_id, claimed_created_on, originality_statement,
                        licence, identity_code, status, registration_number, registered_at, created_at, updated_at)
      select ${id('ast', 'i')}, ${id('plt', '1')}, (array['garment', 'virtual_human', 'collectible'])[1 + i % 3],
             'Work ' || i,
             (array['cultural_heritage_derivative', 'digital_creative', 'consumption_scene', 'brand_marketing',
                    'industrial_application', 'data_ip'])[1 + i % 6],
             ${id('acc', '1 + i % 1000')}, '2026-01-01', 'Bench work.', '{}'::jsonb,
             case when i % 3 = 1 then 'VH-' || i end, 'registered', 'BENCH-' || i, now(), now(), now()
      from generate_series(1, ${works}) i;
    insert into editions (id, asset_id, size, minted, preset, policy, created_at)
      select ${id('edn', 'i')}, ${id('ast', 'i')}, 1000, 100, 'open_market', '{}'::jsonb, now()
      from generate_series(1, ${works}) i;
    insert into units (id, edition_id, serial, owner_id, acquired_via, acquired_at, created_at)
      select ${id('unt', 'i')}, ${id('edn', '1 + (i - 1) / 100')}, 1 + (i - 1) % 100, ${id('acc', '1 + i % 1000')},
             'mint', now(), now()
      from generate_series(1, ${works * 100}) i;
  `);
  // Kind by i % 10: 0–3 fixed, 4–5 Dutch, 6–7 English, 8–9 sealed. Prices in whole yuan (fen × 100).
  await sql.unsafe(`
    insert into listings (id, platform_id, seller_id, unit_id, edition_id, quantity, sold, kind, currency,
                          price, start_price, floor_price, min_increment, starts_at, ends_at, reveal_ends_at,
                          status, created_at, updated_at)
      select ${id('lst', 'i')}, ${id('plt', '1')}, ${id('acc', '1 + i % 1000')}, ${id('unt', 'i')}, ${id('edn', '1 + (i - 1) / 100')},
             1, 0, k.kind, 'CNY',
             case when k.kind = 'fixed' then p.price end,
             case when k.kind in ('dutch', 'english') then p.price end,
             case when k.kind = 'dutch' then greatest(100, p.price / 4) end,
             case when k.kind = 'english' then 100 end,
             now() - (i % 1440) * interval '1 minute',
             case when k.kind <> 'fixed' or i % 2 = 0 then now() + interval '30 days' + (i % 1440) * interval '1 minute' end,
             case when k.kind = 'sealed' then now() + interval '31 days' + (i % 1440) * interval '1 minute' end,
             'open', now() - (i % 1440) * interval '1 minute', now()
      from generate_series(1, ${listings}) i,
           lateral (select (array['fixed', 'fixed', 'fixed', 'fixed', 'dutch', 'dutch', 'english', 'english', 'sealed', 'sealed'])[1 + i % 10] as kind) k,
           lateral (select 100 * (1 + (i::bigint * 7919) % 5000)::bigint as price) p;
    insert into bids (id, listing_id, bidder_id, amount, created_at)
      select ${id('bid', 'l.n * 2 + b')}, l.id, ${id('acc', '1 + (l.n + 1 + b * 7) % 1000')},
             l.start_price + b * 100, now() - interval '1 minute' * (2 - b)
      from (select id, start_price, substr(id, 5)::bigint as n from listings where kind = 'english') l,
           generate_series(0, 1) b
      where l.n % 3 = 0;
  `);
  // The triggers priced each listing's board sort key when it was made and at each bid; the Dutch
  // keys are brought to now as the server's scheduler would (refreshDutchBoardKeys), so that the
  // measurements do not share the machine with that first catch-up.
  await sql.unsafe(`
    update listings set board_price = dutch_price(start_price, floor_price, starts_at, ends_at, now())
    where kind = 'dutch';
    update listings set board_price_due = dutch_key_due(start_price, floor_price, starts_at, ends_at, board_price, now())
    where kind = 'dutch';
  `);
  const units = works * 100;
  const batch = 200_000;
  for (let from = 1; from <= trades; from += batch) {
    const to = Math.min(trades, from + batch - 1);
    await sql.unsafe(`
      insert into journals (id, kind, currency, created_at)
        select ${id('jnl', 'i')}, 'trade', 'CNY', now() - (i % 525600) * interval '1 minute'
        from generate_series(${from}, ${to}) i;
      insert into trades (id, unit_id, seller_id, buyer_id, platform_id, currency, price, fee_bps, royalty_bps, rail,
                          status, reserved_until, journal_id, created_at, settled_at)
        select ${id('trd', 'i')}, ${id('unt', `1 + i % ${units}`)}, ${id('acc', '1 + i % 1000')}, ${id('acc', '1 + (i + 1) % 1000')},
               ${id('plt', '1')}, 'CNY', 100 * (1 + (i::bigint * 104729) % 5000)::bigint, 500, 0, 'balance', 'settled',
               now() - (i % 525600) * interval '1 minute' + interval '15 minutes', ${id('jnl', 'i')},
               now() - (i % 525600) * interval '1 minute', now() - (i % 525600) * interval '1 minute'
        from generate_series(${from}, ${to}) i;
    `);
  }
  // The trades' trigger queued one price change per settled trade; fold them all now, as the
  // scheduler would over its first runs, so the board's statistics start from a full histogram.
  await sql.unsafe('select board_fold_price_changes(null)');
  await sql.unsafe('vacuum analyze');
}
