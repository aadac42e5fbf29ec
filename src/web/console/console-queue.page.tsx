import { formatTime } from '../i18n.js';
import type { PageContext } from '../layout.js';
import { term } from '../terms.dict.js';
import { consoleDict } from './console.dict.js';
import { consolePreview } from './console-api.js';
import { ConsoleLayout, CsrfField, IdempotencyField } from './console-layout.js';
import type { ConsoleSession } from './console-session.js';

// biome-ignore lint/suspicious/noExplicitAny: API bodies as the API answers them
type Json = any;

export interface QueueItem {
  asset: Json;
  /** GET /v1/assets/{id}/screening, or null while the work is not screened. */
  screening: Json | null;
  /** GET /v1/audit/assets/{id}/provenance: review decisions and objections. */
  provenance: Json | null;
}

/** `/console`: works awaiting a decision, each with its screening, objections and the review forms. */
export function ConsoleQueuePage(props: {
  ctx: PageContext;
  session: ConsoleSession;
  items: QueueItem[];
  notice: { ok: boolean; text: string } | null;
}) {
  const { ctx, session } = props;
  const t = consoleDict[ctx.lang];
  return (
    <ConsoleLayout ctx={ctx} session={session} title={t.queue} notice={props.notice}>
      {props.items.length === 0 && <p>{t.queueEmpty}</p>}
      {props.items.map(({ asset, screening, provenance }) => (
        <section class="card queue-item" id={asset.id} aria-labelledby={`${asset.id}-h`}>
          <h2 id={`${asset.id}-h`}>
            {asset.title} <span class="pill">{term(ctx.lang, asset.status)}</span>
          </h2>
          <p class="muted">
            <code>{asset.id}</code> · {term(ctx.lang, asset.kind)} · {term(ctx.lang, asset.category)} · {t.submitted}{' '}
            {formatTime(asset.submittedAt)}
          </p>

          <h3>{t.screening}</h3>
          {!screening ? (
            <p>{t.notScreened}</p>
          ) : (
            <>
              <p>
                <strong>{screening.flagged ? t.flagged : t.clean}</strong>
              </p>
              <div class="matches">
                {asset.media.files.map((f: Json) =>
                  f.image?.previews ? (
                    <figure>
                      <img
                        class="preview"
                        src={consolePreview(f.image.previews.small.url) ?? ''}
                        width={f.image.previews.small.width}
                        height={f.image.previews.small.height}
                        alt={`${t.submittedImage}: ${asset.title}`}
                      />
                      <figcaption>{t.submittedImage}</figcaption>
                    </figure>
                  ) : null,
                )}
                {screening.matches.map((m: Json) => (
                  <figure class="match">
                    {m.preview && (
                      <img class="preview" src={consolePreview(m.preview.small) ?? ''} alt={`${t.match}: ${m.matchedTitle}`} />
                    )}
                    <figcaption>
                      {t.match}: {m.matchedTitle} ({m.matchedRegistrationNumber ?? term(ctx.lang, m.matchedStatus)})
                      <br />
                      {m.algorithm} · {t.distance} <strong class="distance">{m.distance}</strong>
                      {m.distance === 0 && m.algorithm === 'sha256' ? ` (${t.identical})` : ''}
                    </figcaption>
                  </figure>
                ))}
              </div>
              {screening.licenceContradictions.length > 0 && (
                <p>
                  {t.contradictions}: {screening.licenceContradictions.map((c: Json) => JSON.stringify(c)).join('; ')}
                </p>
              )}
            </>
          )}

          <h3>{t.objections}</h3>
          {provenance?.objections?.length ? (
            <ul>
              {provenance.objections.map((o: Json) => (
                <li>
                  {formatTime(o.at)} · {o.reason}
                </li>
              ))}
            </ul>
          ) : (
            <p>{t.noObjections}</p>
          )}
          {provenance?.reviews?.length > 0 && (
            <>
              <h3>{t.reviews}</h3>
              <ul>
                {provenance.reviews.map((r: Json) => (
                  <li>
                    {formatTime(r.at)} · {r.action} · <code>{r.officialId}</code>
                    {r.reason ? ` · ${r.reason}` : ''}
                  </li>
                ))}
              </ul>
            </>
          )}

          {session.kind === 'official' && (
            <div class="review-actions">
              {asset.status === 'submitted' && (
                <ReviewForm ctx={ctx} session={session} id={asset.id} action="start" label={t.start} />
              )}
              {asset.status === 'in_review' && (
                <ReviewForm ctx={ctx} session={session} id={asset.id} action="approve" label={t.approve} />
              )}
              <ReviewForm ctx={ctx} session={session} id={asset.id} action="reject" label={t.reject} withReason />
            </div>
          )}
        </section>
      ))}
    </ConsoleLayout>
  );
}

function ReviewForm(props: {
  ctx: PageContext;
  session: ConsoleSession;
  id: string;
  action: 'start' | 'approve' | 'reject';
  label: string;
  withReason?: boolean;
}) {
  const t = consoleDict[props.ctx.lang];
  return (
    <form method="post" action={props.ctx.href(`/console/works/${props.id}/review`)}>
      <CsrfField session={props.session} />
      <IdempotencyField />
      <input type="hidden" name="action" value={props.action} />
      {props.withReason && (
        <label class="stack">
          {t.reason}
          <input name="reason" required maxlength={5000} />
        </label>
      )}
      <button type="submit" name="do" value={props.action}>
        {props.label}
      </button>
    </form>
  );
}
