import { formatTime } from '../i18n.js';
import type { PageContext } from '../layout.js';
import { term } from '../terms.dict.js';
import { worksDict } from '../works/works.dict.js';
import { consoleDict } from './console.dict.js';
import { ConsoleLayout, CsrfField, IdempotencyField } from './console-layout.js';
import type { ConsoleSession } from './console-session.js';

// biome-ignore lint/suspicious/noExplicitAny: API bodies as the API answers them
type Json = any;

export interface AuditView {
  unit: string;
  at: string;
  asset: string;
  /** GET /v1/audit/units/{id}/owner?at=… */
  ownerAt: Json | null;
  /** GET /v1/units/{id}/freezes */
  freezes: Json[] | null;
  /** GET /v1/audit/assets/{id}/provenance and /ownership */
  provenance: Json | null;
  ownership: Json[] | null;
  /** A refusal of one of the reads, as the API's problem. */
  problems: string[];
}

/** `/console/audit`: who owned a unit when, its freezes (place, lift), and a work's full provenance. */
export function ConsoleAuditPage(props: {
  ctx: PageContext;
  session: ConsoleSession;
  view: AuditView;
  notice: { ok: boolean; text: string } | null;
}) {
  const { ctx, session, view } = props;
  const t = consoleDict[ctx.lang];
  const w = worksDict[ctx.lang];
  return (
    <ConsoleLayout ctx={ctx} session={session} title={t.audit} notice={props.notice}>
      <section class="card" aria-labelledby="owner-h">
        <h2 id="owner-h">{t.ownerAt}</h2>
        <form method="get" action="/console/audit" class="filters">
          {ctx.explicit && <input type="hidden" name="lang" value={ctx.lang} />}
          <label>
            {t.unitId}
            <input name="unit" value={view.unit} pattern="unt_[0-9A-Z]{26}" size={32} />
          </label>
          <label>
            {t.at}
            <input name="at" value={view.at} placeholder="2026-06-01T08:00:00Z" size={24} />
          </label>
          <button type="submit">{t.lookUp}</button>
        </form>
        {view.ownerAt && (
          <p id="owner-at">
            {t.ownerWas} <code>{view.ownerAt.ownerId}</code> ({view.ownerAt.since.via}, {formatTime(view.ownerAt.since.at)})
          </p>
        )}
      </section>

      {view.freezes && (
        <section class="card" aria-labelledby="freezes-h">
          <h2 id="freezes-h">{`${t.freezes} · ${view.unit}`}</h2>
          {view.freezes.length === 0 ? (
            <p>{t.noFreezes}</p>
          ) : (
            <div class="table-wrap">
              <table id="freezes">
                <thead>
                  <tr>
                    <th scope="col">{t.cause}</th>
                    <th scope="col">{t.reason}</th>
                    <th scope="col">{t.when}</th>
                    <th scope="col">{t.status}</th>
                  </tr>
                </thead>
                <tbody>
                  {view.freezes.map((f) => (
                    <tr>
                      <td>{f.cause}</td>
                      <td>{f.reason ?? '–'}</td>
                      <td>{formatTime(f.placedAt)}</td>
                      <td>
                        {f.active ? t.active : `${t.lifted} ${formatTime(f.liftedAt)}: ${f.liftReason ?? ''}`}
                        {f.active && session.kind === 'official' && (
                          <form method="post" action={ctx.href(`/console/units/${view.unit}/freezes/${f.id}/lift`)}>
                            <CsrfField session={session} />
                            <IdempotencyField />
                            <label class="stack">
                              {t.reason}
                              <input name="reason" required maxlength={1000} />
                            </label>
                            <button type="submit">{t.lift}</button>
                          </form>
                        )}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
          {session.kind === 'official' && (
            <form method="post" action={ctx.href(`/console/units/${view.unit}/freezes`)} class="filters">
              <CsrfField session={session} />
              <IdempotencyField />
              <label>
                {t.reason}
                <input name="reason" required maxlength={1000} />
              </label>
              <button type="submit">{t.freeze}</button>
            </form>
          )}
        </section>
      )}

      <section class="card" aria-labelledby="prov-h">
        <h2 id="prov-h">{t.provenance}</h2>
        <form method="get" action="/console/audit" class="filters">
          {ctx.explicit && <input type="hidden" name="lang" value={ctx.lang} />}
          <label>
            {t.assetId}
            <input name="asset" value={view.asset} pattern="ast_[0-9A-Z]{26}" size={32} />
          </label>
          <button type="submit">{t.lookUp}</button>
        </form>
        {view.provenance && (
          <div id="provenance">
            <p>
              <strong>{view.provenance.asset.title}</strong> · {term(ctx.lang, view.provenance.asset.status)} ·{' '}
              {view.provenance.asset.registrationNumber ?? '–'}
            </p>
            <h3>{t.ancestors}</h3>
            <ul>
              {view.provenance.ancestors.length === 0 && <li>–</li>}
              {view.provenance.ancestors.map((a: Json) => (
                <li>
                  {a.title} ({a.registrationNumber ?? a.status}) · <code>{a.assetId}</code>
                </li>
              ))}
            </ul>
            <h3>{t.reviews}</h3>
            <ul>
              {view.provenance.reviews.map((r: Json) => (
                <li>
                  {formatTime(r.at)} · {r.action} · <code>{r.officialId}</code>
                  {r.reason ? ` · ${r.reason}` : ''}
                </li>
              ))}
            </ul>
            <h3>{t.objections}</h3>
            <ul>
              {view.provenance.objections.length === 0 && <li>{t.noObjections}</li>}
              {view.provenance.objections.map((o: Json) => (
                <li>
                  {formatTime(o.at)} · {o.reason}
                </li>
              ))}
            </ul>
            {view.ownership && (
              <div class="table-wrap">
                <table id="ownership">
                  <thead>
                    <tr>
                      <th scope="col">{t.when}</th>
                      <th scope="col">{t.unitId}</th>
                      <th scope="col">{w.from}</th>
                      <th scope="col">{w.to}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {view.ownership.map((o) => (
                      <tr>
                        <td>{formatTime(o.at)}</td>
                        <td>{`${o.serial} · ${w[o.via as 'mint' | 'gift' | 'trade'] ?? o.via}`}</td>
                        <td class="mono">{o.fromId ?? '–'}</td>
                        <td class="mono">{o.toId}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
          </div>
        )}
      </section>
      {view.problems.map((p) => (
        <p class="card notice bad">{p}</p>
      ))}
    </ConsoleLayout>
  );
}

/** `/console/access-log`: every read an official made (the operator's view). */
export function ConsoleAccessLogPage(props: { ctx: PageContext; session: ConsoleSession; rows: Json[] | null }) {
  const { ctx, session } = props;
  const t = consoleDict[ctx.lang];
  return (
    <ConsoleLayout ctx={ctx} session={session} title={t.accessLog}>
      {props.rows === null ? (
        <p>{t.operatorOnly}</p>
      ) : (
        <div class="table-wrap">
          <table id="access-log">
            <thead>
              <tr>
                <th scope="col">{t.when}</th>
                <th scope="col">{t.who}</th>
                <th scope="col">{t.path}</th>
                <th scope="col" class="num">
                  {t.status}
                </th>
              </tr>
            </thead>
            <tbody>
              {props.rows.map((r) => (
                <tr>
                  <td>{formatTime(r.at)}</td>
                  <td class="mono">{r.officialId}</td>
                  <td class="mono">{`${r.method} ${r.path}`}</td>
                  <td class="num">{r.status}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </ConsoleLayout>
  );
}
