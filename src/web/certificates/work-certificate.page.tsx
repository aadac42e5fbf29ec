import { formatTime } from '../i18n.js';
import { Layout, type PageContext } from '../layout.js';
import { term } from '../terms.dict.js';
import { licenceInWords } from '../works/licence-words.js';
import { worksDict } from '../works/works.dict.js';
import type { CertificateWitnesses } from './certificate-witnesses.js';
import type { workCertificate } from './certificates.data.js';
import { certificatesDict } from './certificates.dict.js';
import { VerifyPanel } from './verify-panel.js';
import { WitnessesPanel } from './witnesses-panel.js';

/** `/works/{id}/certificate`: the registration certificate, verified in the browser against the log. */
export function WorkCertificatePage({
  ctx,
  cert,
  witnesses,
}: {
  ctx: PageContext;
  cert: Awaited<ReturnType<typeof workCertificate>>;
  witnesses: CertificateWitnesses;
}) {
  const t = certificatesDict[ctx.lang];
  const w = worksDict[ctx.lang];
  const { work } = cert.record;
  return (
    <Layout ctx={ctx} title={`${t.workTitle} · ${work.title}`} scripts={cert.target.logIndex === null ? [] : ['certificate.js']}>
      <h1>{t.workTitle}</h1>
      {work.status === 'revoked' && (
        <p class="card" id="revoked">
          <strong>{w.revoked}</strong> — {w.revokedNotice}
          {cert.record.revocationEvent && ` (${formatTime(cert.record.revocationEvent.at)})`}
        </p>
      )}
      <section class="card" aria-labelledby="cert-h">
        <h2 id="cert-h">
          <a href={ctx.href(`/works/${work.id}`)}>{work.title}</a>
        </h2>
        <dl class="facts">
          <dt>{w.registrationNumber}</dt>
          <dd>{work.registrationNumber}</dd>
          <dt>{w.registeredAt}</dt>
          <dd>{formatTime(work.registeredAt)}</dd>
          <dt>{w.kind}</dt>
          <dd>{term(ctx.lang, work.kind)}</dd>
          <dt>{w.category}</dt>
          <dd>{term(ctx.lang, work.category)}</dd>
          <dt>{w.rightsHolder}</dt>
          <dd>
            <code>{work.rightsHolderId}</code>
          </dd>
          <dt>{w.creators}</dt>
          <dd>
            {work.creators.map((c) => (
              <div>
                <code>{c.accountId}</code> · {term(ctx.lang, c.role)} · {`${c.shareBps / 100}%`}
              </div>
            ))}
          </dd>
          <dt>{w.claimedCreatedOn}</dt>
          <dd>{work.claimedCreatedOn}</dd>
          <dt>{w.licence}</dt>
          <dd>{licenceInWords(work.licence, ctx.lang).join(' ')}</dd>
          <dt>{w.files}</dt>
          <dd>
            {work.files.length
              ? work.files.map((f) => (
                  <div>
                    {term(ctx.lang, f.purpose)} · <code>{f.sha256}</code>
                  </div>
                ))
              : '–'}
          </dd>
        </dl>
      </section>
      <VerifyPanel ctx={ctx} target={cert.target} />
      {cert.target.logIndex === null ? null : <WitnessesPanel ctx={ctx} policy={witnesses} />}
    </Layout>
  );
}
