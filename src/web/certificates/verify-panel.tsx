import type { PageContext } from '../layout.js';
import { scriptJson } from '../script-json.js';
import type { VerifyTarget } from './certificates.data.js';
import { certificatesDict } from './certificates.dict.js';

/** The verification box; certificate.js (browser) fills in each step and the verdict. */
export function VerifyPanel({ ctx, target }: { ctx: PageContext; target: VerifyTarget }) {
  const t = certificatesDict[ctx.lang];
  const strings = {
    running: t.running,
    verified: t.verified,
    failed: t.failed,
    steps: { key: t['step.key'], checkpoint: t['step.checkpoint'], proof: t['step.proof'], entry: t['step.entry'] },
  };
  return (
    <section
      class="card verify"
      aria-labelledby="verify-h"
      aria-live="polite"
      id="verify"
      data-log-index={target.logIndex === null ? undefined : String(target.logIndex)}
      data-event-id={target.eventId}
      data-expect={JSON.stringify(target.expect)}
      data-state={target.logIndex === null ? 'pending' : 'idle'}
    >
      <h2 id="verify-h">{t.verify}</h2>
      {target.logIndex === null ? (
        <p data-role="status">{t.pending}</p>
      ) : (
        <>
          <p data-role="status">
            <noscript>{t.noscript}</noscript>
          </p>
          <ol data-role="steps" />
          <script type="application/json" id="verify-strings" dangerouslySetInnerHTML={scriptJson(strings)} />
          <dl class="facts">
            <dt>{t.logIndex}</dt>
            <dd>{target.logIndex}</dd>
            <dt>{t.eventId}</dt>
            <dd>
              <code>{target.eventId}</code>
            </dd>
          </dl>
          <p>
            <a href={`/v1/log/entries/${target.logIndex}/tlog-proof`} download={`${target.logIndex}.tlog-proof`}>
              {t.download}
            </a>
          </p>
          <p class="muted">
            <code>{t.offline}</code>
          </p>
        </>
      )}
    </section>
  );
}
