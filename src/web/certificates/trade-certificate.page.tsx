import { formatMoney, formatTime } from '../i18n.js';
import { Layout, type PageContext } from '../layout.js';
import { term } from '../terms.dict.js';
import type { CertificateWitnesses } from './certificate-witnesses.js';
import type { tradeCertificatePage } from './certificates.data.js';
import { certificatesDict } from './certificates.dict.js';
import { VerifyPanel } from './verify-panel.js';
import { WitnessesPanel } from './witnesses-panel.js';

/** `/trades/{id}/certificate`: a settled trade, verified in the browser against the log. */
export function TradeCertificatePage({
  ctx,
  cert,
  witnesses,
}: {
  ctx: PageContext;
  cert: Awaited<ReturnType<typeof tradeCertificatePage>>;
  witnesses: CertificateWitnesses;
}) {
  const t = certificatesDict[ctx.lang];
  const { trade } = cert;
  return (
    <Layout
      ctx={ctx}
      title={`${t.tradeTitle} · ${trade.asset.title} ${trade.label}`}
      scripts={cert.target.logIndex === null ? [] : ['certificate.js']}
    >
      <h1>{t.tradeTitle}</h1>
      <section class="card" aria-labelledby="cert-h">
        <h2 id="cert-h">
          <a href={ctx.href(`/works/${trade.asset.id}`)}>{trade.asset.title}</a>{' '}
          <a href={ctx.href(`/units/${cert.unitId}`)}>{trade.label}</a>
        </h2>
        <dl class="facts">
          <dt>ID</dt>
          <dd>
            <code>{trade.id}</code>
          </dd>
          <dt>{t.price}</dt>
          <dd>{formatMoney(trade.price, trade.currency, ctx.lang)}</dd>
          <dt>{t.market}</dt>
          <dd>{term(ctx.lang, trade.market)}</dd>
          <dt>{t.seller}</dt>
          <dd class="mono">{trade.seller}</dd>
          <dt>{t.buyer}</dt>
          <dd class="mono">{trade.buyer}</dd>
          <dt>{t.settled}</dt>
          <dd>{formatTime(trade.settledAt)}</dd>
        </dl>
      </section>
      <VerifyPanel ctx={ctx} target={cert.target} />
      {cert.target.logIndex === null ? null : <WitnessesPanel ctx={ctx} policy={witnesses} />}
    </Layout>
  );
}
