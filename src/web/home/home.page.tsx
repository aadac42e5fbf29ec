import { Layout, type PageContext } from '../layout.js';
import { homeDict } from './home.dict.js';

/** `/`: what Haipai is, and where to go next. */
export function HomePage({ ctx, logSize }: { ctx: PageContext; logSize: number | null }) {
  const t = homeDict[ctx.lang];
  return (
    <Layout ctx={ctx} title={t.title}>
      <h1>{t.title}</h1>
      <p>
        <strong>{t.lead}</strong>
      </p>
      <p>{t.what}</p>
      <ul class="links">
        <li>
          <a href={ctx.href('/board')}>
            <strong>{t.boardTitle}</strong>
            {t.boardText}
          </a>
        </li>
        <li>
          <a href="/log/checkpoint">
            <strong>{t.logTitle}</strong>
            {t.logText}
            {logSize !== null && <span class="pill">{`${t.size}: ${logSize}`}</span>}
          </a>
        </li>
        <li>
          <a href={ctx.href('/docs')}>
            <strong>{t.docsTitle}</strong>
            {t.docsText}
          </a>
        </li>
      </ul>
      <h2>{t.verifyTitle}</h2>
      <p>{t.verifyText}</p>
      <pre class="card">
        <code>{'curl -o vkey https://<host>/log/vkey\nnpm run verify -- <file>.tlog-proof --vkey vkey'}</code>
      </pre>
    </Layout>
  );
}
