import { ASSET_KINDS, CATEGORIES } from '../../features/assets/assets.schemas.js';
import { BOARD_SORTS, LISTING_KINDS } from '../../features/board/board.schemas.js';
import { formatMoney, formatTime } from '../i18n.js';
import { Layout, type PageContext } from '../layout.js';
import { minorUnitDigits } from '../money.js';
import { scriptJson } from '../script-json.js';
import { term } from '../terms.dict.js';
import type { boardListings, PriceIndex, recentTrades } from './board.data.js';
import { boardDict } from './board.dict.js';

type Listings = Awaited<ReturnType<typeof boardListings>>;
type Trades = Awaited<ReturnType<typeof recentTrades>>;

/** `/board`: open listings (the API's filters and sorts, as a plain GET form), recent trades, the price index. */
export function BoardPage(props: {
  ctx: PageContext;
  query: Record<string, string>;
  listings: Listings | null;
  problem: string | null;
  trades: Trades;
  index: PriceIndex;
}) {
  const { ctx, query, listings, trades, index } = props;
  const t = boardDict[ctx.lang];
  const select = (name: string, label: string, values: readonly string[], withAny = true) => (
    <label>
      {label}
      <select name={name}>
        {withAny && <option value="">{t.any}</option>}
        {values.map((v) => (
          <option value={v} selected={query[name] === v}>
            {term(ctx.lang, v)}
          </option>
        ))}
      </select>
    </label>
  );
  const nextHref = listings?.nextCursor
    ? `/board?${new URLSearchParams({ ...query, after: listings.nextCursor }).toString()}`
    : null;
  const indexWithLabels = {
    ...index,
    dayLabel: t.day,
    // The chart divides by 10^digits itself: the same digits the tables use.
    digits: minorUnitDigits(index.currency),
    series: index.series.map((s) => ({ ...s, label: term(ctx.lang, s.category) })),
  };
  return (
    <Layout ctx={ctx} title={t.title} scripts={index.series.length ? ['board-chart.js'] : []} styles={['board-chart.css']}>
      <h1>{t.title}</h1>

      <section class="card" aria-labelledby="chart-h">
        <h2 id="chart-h">{`${t.chart} · ${index.currency}`}</h2>
        <p class="muted">{t.chartNote}</p>
        {index.series.length === 0 ? (
          <p>{t.noChart}</p>
        ) : (
          <>
            <div id="price-chart" role="img" aria-label={t.chart} />
            <script type="application/json" id="price-index" dangerouslySetInnerHTML={scriptJson(indexWithLabels)} />
            <details>
              <summary>{t.chart}</summary>
              <div class="table-wrap">
                <table>
                  <thead>
                    <tr>
                      <th scope="col">{t.day}</th>
                      {index.series.map((s) => (
                        <th scope="col" class="num">
                          {term(ctx.lang, s.category)}
                        </th>
                      ))}
                    </tr>
                  </thead>
                  <tbody>
                    {index.days.map((day, i) =>
                      index.series.some((s) => s.values[i] !== null) ? (
                        <tr>
                          <td>{new Date(day * 1000).toISOString().slice(0, 10)}</td>
                          {index.series.map((s) => (
                            <td class="num">{formatMoney(s.values[i] ?? null, index.currency, ctx.lang)}</td>
                          ))}
                        </tr>
                      ) : null,
                    )}
                  </tbody>
                </table>
              </div>
            </details>
          </>
        )}
      </section>

      <h2 id="listings">{t.listings}</h2>
      <form class="filters card" method="get" action="/board">
        {ctx.explicit && <input type="hidden" name="lang" value={ctx.lang} />}
        {select('kind', t.kind, ASSET_KINDS)}
        {select('category', t.category, CATEGORIES)}
        {select('listingKind', t.listingKind, LISTING_KINDS)}
        <label>
          {t.currency}
          <input name="currency" value={query.currency ?? ''} size={4} maxlength={3} pattern="[A-Z]{3}" placeholder="CNY" />
        </label>
        <label>
          {t.minPrice}
          <input name="minPrice" type="number" min="0" value={query.minPrice ?? ''} />
        </label>
        <label>
          {t.maxPrice}
          <input name="maxPrice" type="number" min="0" value={query.maxPrice ?? ''} />
        </label>
        {select('sort', t.sort, BOARD_SORTS, false)}
        <button type="submit">{t.filter}</button>
      </form>
      {props.problem && (
        <p role="alert" class="card">
          {`${t.badQuery} ${props.problem}`}
        </p>
      )}
      {listings && listings.data.length === 0 && <p>{t.noListings}</p>}
      {listings && listings.data.length > 0 && (
        <div class="table-wrap">
          <table id="listings-table">
            <thead>
              <tr>
                <th scope="col">{t.work}</th>
                <th scope="col">{t.category}</th>
                <th scope="col">{t.edition}</th>
                <th scope="col">{t.market}</th>
                <th scope="col" class="num">
                  {t.price}
                </th>
                <th scope="col">{t.ends}</th>
              </tr>
            </thead>
            <tbody>
              {listings.data.map((l) => (
                <tr>
                  <td>
                    <a href={ctx.href(`/works/${l.asset.id}`)}>{l.asset.title}</a>
                    <div class="muted">{term(ctx.lang, l.asset.kind)}</div>
                  </td>
                  <td>{term(ctx.lang, l.asset.category)}</td>
                  <td>
                    {l.unitId ? (
                      <a href={ctx.href(`/units/${l.unitId}`)}>{l.edition.label}</a>
                    ) : (
                      t.remaining.replace('{n}', String(l.edition.remaining)).replace('{size}', String(l.edition.size))
                    )}
                  </td>
                  <td>{term(ctx.lang, l.kind)}</td>
                  <td class="num">{l.price === null ? t.sealedPrice : formatMoney(l.price, l.currency, ctx.lang)}</td>
                  <td>{formatTime(l.endsAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {nextHref && (
        <p>
          <a href={nextHref} rel="next">
            {t.next}
          </a>
        </p>
      )}

      <h2 id="trades">{t.trades}</h2>
      <p class="muted">{t.pseudonyms}</p>
      {trades.length === 0 ? (
        <p>{t.noTrades}</p>
      ) : (
        <div class="table-wrap">
          <table id="trades-table">
            <thead>
              <tr>
                <th scope="col">{t.work}</th>
                <th scope="col">{t.edition}</th>
                <th scope="col">{t.market}</th>
                <th scope="col" class="num">
                  {t.price}
                </th>
                <th scope="col">{t.seller}</th>
                <th scope="col">{t.buyer}</th>
                <th scope="col">{t.settled}</th>
                <th scope="col">{t.certificate}</th>
              </tr>
            </thead>
            <tbody>
              {trades.map((tr) => (
                <tr>
                  <td>
                    <a href={ctx.href(`/works/${tr.asset.id}`)}>{tr.asset.title}</a>
                  </td>
                  <td>{tr.label}</td>
                  <td>{term(ctx.lang, tr.market)}</td>
                  <td class="num">{formatMoney(tr.price, tr.currency, ctx.lang)}</td>
                  <td class="mono">{tr.seller}</td>
                  <td class="mono">{tr.buyer}</td>
                  <td>{formatTime(tr.settledAt)}</td>
                  <td>
                    <a href={ctx.href(`/trades/${tr.id}/certificate`)}>{t.certificate}</a>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Layout>
  );
}
