import { formatTime } from '../i18n.js';
import { Layout, type PageContext } from '../layout.js';
import { term } from '../terms.dict.js';
import { LicenceGrants } from './licence-grants.js';
import { licenceInWords } from './licence-words.js';
import type { Lineage } from './lineage.data.js';
import { LineageGraph } from './lineage-graph.js';
import type { WorkRecord } from './works.data.js';
import { worksDict } from './works.dict.js';

/** `/works/{id}`: a work's public record. */
export function WorkPage({ ctx, record, lineage }: { ctx: PageContext; record: WorkRecord; lineage: Lineage }) {
  const t = worksDict[ctx.lang];
  const { work } = record;
  const evLabel = (type: string) => (t as Record<string, string>)[`ev.${type}`] ?? type;
  const previews = work.media.files.flatMap((f) => (f.image?.previews ? [f.image.previews] : []));
  return (
    <Layout ctx={ctx} title={work.title}>
      <h1>{work.title}</h1>
      <p>
        <span class="pill">{term(ctx.lang, work.status)}</span> <span class="pill">{term(ctx.lang, work.kind)}</span>{' '}
        <span class="pill">{term(ctx.lang, work.category)}</span>
      </p>
      {work.description && <p>{work.description}</p>}
      {record.pendingCase && (
        <p class="card" id="case-notice">
          <strong>{t.casePending}</strong> — {t.casePendingDetail} <code>{record.pendingCase.id}</code>
        </p>
      )}
      {work.status === 'revoked' && (
        <p class="card" id="revoked">
          <strong>{t.revoked}</strong> — {t.revokedNotice}
        </p>
      )}
      <div class="grid2">
        <section class="card" aria-labelledby="facts-h">
          <h2 id="facts-h">{t.work}</h2>
          <dl class="facts">
            <dt>{t.registrationNumber}</dt>
            <dd id="registration-number">{work.registrationNumber ?? '–'}</dd>
            <dt>{t.registeredAt}</dt>
            <dd>{formatTime(work.registeredAt)}</dd>
            <dt>{t.rightsHolder}</dt>
            <dd>
              <code>{work.rightsHolderId}</code>
            </dd>
            <dt>{t.claimedCreatedOn}</dt>
            <dd>{work.claimedCreatedOn}</dd>
            {work.identityCode && (
              <>
                <dt>{t.identityCode}</dt>
                <dd>
                  <code>{work.identityCode}</code>
                </dd>
              </>
            )}
            <dt>{t.originality}</dt>
            <dd>{work.originalityStatement}</dd>
          </dl>
          {(work.status === 'registered' || work.status === 'revoked') && (
            <p>
              <a href={ctx.href(`/works/${work.id}/certificate`)}>{t.certificate}</a>
            </p>
          )}
        </section>
        <section class="card" aria-labelledby="licence-h">
          <h2 id="licence-h">{t.licence}</h2>
          <ul id="licence">
            {licenceInWords(work.licence, ctx.lang).map((line) => (
              <li>{line}</li>
            ))}
          </ul>
        </section>
      </div>

      <h2>{t.creators}</h2>
      <div class="table-wrap">
        <table>
          <thead>
            <tr>
              <th scope="col">ID</th>
              <th scope="col">{t.kind}</th>
              <th scope="col" class="num">
                {t.share}
              </th>
            </tr>
          </thead>
          <tbody>
            {work.creators.map((c) => (
              <tr>
                <td>
                  <code>{c.accountId}</code>
                </td>
                <td>{term(ctx.lang, c.role)}</td>
                <td class="num">{`${c.shareBps / 100}%`}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>

      <h2>{t.timeline}</h2>
      <ol class="timeline" id="timeline">
        {record.timeline.map((e) => (
          <li>
            {formatTime(e.at)} · {evLabel(e.type)}
            {e.type === 'asset.approved' && work.noticeEndsAt && ` (${t.noticeUntil} ${formatTime(work.noticeEndsAt)})`}
            {e.logIndex !== null && <span class="muted">{` · ${t.logIndex} ${e.logIndex}`}</span>}
          </li>
        ))}
      </ol>
      {work.status === 'public_notice' && (
        <p class="card">
          <strong>{`${t.noticeUntil} ${formatTime(work.noticeEndsAt)}`}</strong> — {t.noticeOpen}
        </p>
      )}

      <h2 id="lineage-h">{t.lineage}</h2>
      <LineageGraph ctx={ctx} lineage={lineage} />

      <h2>{t.editions}</h2>
      {record.editions.length === 0 ? (
        <p>{t.none}</p>
      ) : (
        <div class="table-wrap">
          <table id="editions">
            <thead>
              <tr>
                <th scope="col">ID</th>
                <th scope="col" class="num">
                  {t.size}
                </th>
                <th scope="col" class="num">
                  {t.minted}
                </th>
                <th scope="col">{t.preset}</th>
                <th scope="col" class="num">
                  {t.royalty}
                </th>
              </tr>
            </thead>
            <tbody>
              {record.editions.map((e) => (
                <tr>
                  <td>
                    <code>{e.id}</code>
                  </td>
                  <td class="num">{e.size}</td>
                  <td class="num">{e.minted}</td>
                  <td>{term(ctx.lang, e.preset)}</td>
                  <td class="num">{`${e.royaltyBps / 100}%`}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}

      <LicenceGrants ctx={ctx} grants={record.licences} />

      {previews.length > 0 && (
        <>
          <h2>{t.previews}</h2>
          <div class="grid2">
            {previews.map((p) => (
              <a href={p.large.url}>
                <img
                  class="preview"
                  src={p.small.url}
                  width={p.small.width}
                  height={p.small.height}
                  alt={work.title}
                  loading="lazy"
                />
              </a>
            ))}
          </div>
        </>
      )}
      {work.files.length > 0 && (
        <>
          <h2>{t.files}</h2>
          <ul>
            {work.files.map((f) => (
              <li>
                {term(ctx.lang, f.purpose)} · {f.mediaType} · <code>{f.sha256}</code>
              </li>
            ))}
          </ul>
        </>
      )}
    </Layout>
  );
}
