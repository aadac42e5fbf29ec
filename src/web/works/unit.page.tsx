import { formatTime } from '../i18n.js';
import { Layout, type PageContext } from '../layout.js';
import type { UnitRecord } from './works.data.js';
import { worksDict } from './works.dict.js';

/** `/units/{id}`: a unit of a work and every owner it has had, as pseudonyms. */
export function UnitPage({ ctx, record }: { ctx: PageContext; record: UnitRecord }) {
  const t = worksDict[ctx.lang];
  const { unit, work } = record;
  const title = `${work.title} ${unit.label}`;
  return (
    <Layout ctx={ctx} title={title}>
      <h1>{title}</h1>
      <dl class="facts card">
        <dt>{t.ofWork}</dt>
        <dd>
          <a href={ctx.href(`/works/${work.id}`)}>{work.title}</a>
        </dd>
        <dt>{t.unit}</dt>
        <dd>
          <code>{unit.id}</code> · {unit.label}
        </dd>
        <dt>{t.owner}</dt>
        <dd class="mono" id="current-owner">
          {unit.owner}
        </dd>
        {unit.frozen && (
          <>
            <dt>{t.status}</dt>
            <dd>
              <strong>{t.frozen}</strong>
            </dd>
          </>
        )}
      </dl>
      <h2>{t.owners}</h2>
      <div class="table-wrap">
        <table id="owners">
          <thead>
            <tr>
              <th scope="col">{t.at}</th>
              <th scope="col">{t.via}</th>
              <th scope="col">{t.from}</th>
              <th scope="col">{t.to}</th>
              <th scope="col" class="num">
                {t.logIndex}
              </th>
            </tr>
          </thead>
          <tbody>
            {record.owners.map((o) => (
              <tr>
                <td>{formatTime(o.at)}</td>
                <td>{t[o.via]}</td>
                <td class="mono">{o.from ?? '–'}</td>
                <td class="mono">{o.to}</td>
                <td class="num">{o.logIndex ?? t.pending}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </Layout>
  );
}
