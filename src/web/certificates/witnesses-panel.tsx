import type { PageContext } from '../layout.js';
import { scriptJson } from '../script-json.js';
import type { CertificateWitnesses } from './certificate-witnesses.js';
import { witnessesDict } from './witnesses.dict.js';

/**
 * Who cosigned the checkpoint a certificate is verified against. certificate.js fills the table
 * from the proof's checkpoint, checking each cosignature/v1 line with the configured keys.
 */
export function WitnessesPanel({ ctx, policy }: { ctx: PageContext; policy: CertificateWitnesses }) {
  const t = witnessesDict[ctx.lang];
  return (
    <section class="card verify witnesses" aria-labelledby="witnesses-h" aria-live="polite" id="witnesses" data-state="idle">
      <h2 id="witnesses-h">{t.title}</h2>
      <p>{t.intro}</p>
      <p data-role="status">{t.waiting}</p>
      <div class="table-wrap">
        <table data-role="cosigners" hidden>
          <thead>
            <tr>
              <th scope="col">{t.witness}</th>
              <th scope="col">{t.keyId}</th>
              <th scope="col">{t.cosignedAt}</th>
              <th scope="col">{t.check}</th>
            </tr>
          </thead>
          <tbody />
        </table>
      </div>
      <script type="application/json" id="witnesses-data" dangerouslySetInnerHTML={scriptJson({ policy, strings: t })} />
    </section>
  );
}
