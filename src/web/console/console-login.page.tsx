import { Layout, type PageContext } from '../layout.js';
import { consoleDict } from './console.dict.js';

/** `/console` signed out: the key goes in a POST body, never a URL. */
export function ConsoleLoginPage({ ctx, problem }: { ctx: PageContext; problem: 'badKey' | 'unavailable' | null }) {
  const t = consoleDict[ctx.lang];
  return (
    <Layout ctx={ctx} title={t.title}>
      <h1>{t.title}</h1>
      <p>{t.signInLead}</p>
      {problem && (
        <p role="alert" class="card notice bad">
          {t[problem]}
        </p>
      )}
      <form method="post" action={ctx.href('/console/login')} class="card filters">
        <label>
          {t.apiKey}
          <input name="key" type="password" autocomplete="current-password" required size={40} />
        </label>
        <button type="submit">{t.signIn}</button>
      </form>
    </Layout>
  );
}
