import { Layout, type PageContext } from '../layout.js';
import { docsDict } from './docs.dict.js';
import { curlOf, FLOWS } from './docs-flows.js';

/** `/docs`: the main flows by example, then Swagger UI over /openapi.json (served by the app itself). */
export function DocsPage({ ctx }: { ctx: PageContext }) {
  const t = docsDict[ctx.lang];
  return (
    <Layout ctx={ctx} title={t.title} scripts={['docs.js']} styles={['docs.css']}>
      <h1>{t.title}</h1>
      <p>
        {t.intro} <a href="/openapi.json">{t.raw}</a>
      </p>
      <details class="card" id="flows">
        <summary>
          <strong>{t.flows}</strong>
        </summary>
        {FLOWS.map((flow) => (
          <section>
            <h2 id={`flow-${flow.id}`}>{flow.title[ctx.lang]}</h2>
            <pre>
              <code>{flow.steps.map(curlOf).join('\n\n')}</code>
            </pre>
          </section>
        ))}
      </details>
      <noscript>
        <p>{t.noscript}</p>
      </noscript>
      <div id="swagger-ui" />
    </Layout>
  );
}
