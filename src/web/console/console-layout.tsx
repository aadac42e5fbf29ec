import type { Child } from 'hono/jsx';
import { Layout, type PageContext } from '../layout.js';
import { consoleDict } from './console.dict.js';
import type { ConsoleSession } from './console-session.js';

/** A hidden CSRF field: every console form posts the session's token back. */
export function CsrfField({ session }: { session: ConsoleSession }) {
  return <input type="hidden" name="csrf" value={session.csrf} />;
}

/** A fresh Idempotency-Key per rendered form: a resubmitted form does the action once. */
export function IdempotencyField() {
  return <input type="hidden" name="idem" value={crypto.randomUUID()} />;
}

/** The console's frame: the site layout with the console's own navigation and the sign-out button. */
export function ConsoleLayout(props: {
  ctx: PageContext;
  session: ConsoleSession;
  title: string;
  notice?: { ok: boolean; text: string } | null;
  children: Child;
}) {
  const { ctx, session } = props;
  const t = consoleDict[ctx.lang];
  return (
    <Layout ctx={ctx} title={props.title}>
      <nav class="card console-nav" aria-label={t.title}>
        <a href={ctx.href('/console')}>{t.queue}</a> · <a href={ctx.href('/console/audit')}>{t.audit}</a> ·{' '}
        <a href={ctx.href('/console/access-log')}>{t.accessLog}</a>
        <form method="post" action={ctx.href('/console/logout')} class="inline">
          <span class="muted">{`${t.signedInAs} ${t[session.kind]}`}</span> <CsrfField session={session} />
          <button type="submit">{t.signOut}</button>
        </form>
      </nav>
      <h1>{props.title}</h1>
      {props.notice && (
        <p role="status" class={`card notice ${props.notice.ok ? 'ok' : 'bad'}`} id="notice">
          {props.notice.text}
        </p>
      )}
      {props.children}
    </Layout>
  );
}
