import { AppError } from '../../http/problem.js';
import { createRouter } from '../../http/router.js';
import { cosignedCheckpoint } from './cosignatures.repo.js';
import { latestCheckpoint } from './log.repo.js';
import * as routes from './log.routes.js';
import { consistencyProofBetween, inclusionProofAt, logEntry, pageOfCheckpoints, tlogProofAt } from './log.service.js';
import { readTileResource } from './tiles.js';
import { logWitnessesFromConfig } from './witnesses.config.js';

const IMMUTABLE = 'public, max-age=31536000, immutable';
// C2SP tlog-tiles: the checkpoint "SHOULD prevent caching beyond a few seconds".
const CHECKPOINT_CACHE = 'public, max-age=2';
// A partial tile never changes either, but a client wants the full one as soon as it exists.
const PARTIAL_TILE_CACHE = 'public, max-age=60';

/**
 * The log, public and keyless: C2SP tlog-tiles under /log/ (static-style resources any tlog
 * client reads), and JSON proofs under /v1/log/ (in the OpenAPI document).
 */
export function logRouter() {
  const router = createRouter();

  router.get('/log/checkpoint', async (c) => {
    const { db, config } = c.get('deps');
    const latest = await latestCheckpoint(db);
    if (!latest) throw new AppError(404, 'no_checkpoint', 'The log has not signed a checkpoint yet; try again in a moment.');
    // The note carries every cosignature the log holds; the headers say whether the quorum is met.
    const checkpoint = await cosignedCheckpoint(db, latest);
    const { witnesses, quorum } = await logWitnessesFromConfig(config);
    const headers: Record<string, string> = { 'content-type': 'text/plain; charset=utf-8', 'cache-control': CHECKPOINT_CACHE };
    if (witnesses.length > 0) {
      const cosigned = witnesses.filter((w) => checkpoint.witnessKeys.includes(w.verifier.verifierKey)).length;
      headers['haipai-witness-cosignatures'] = String(cosigned);
      headers['haipai-witness-quorum'] = String(quorum);
      headers['haipai-witness-quorum-met'] = String(cosigned >= quorum);
    }
    return c.body(checkpoint.note, 200, headers);
  });

  router.get('/log/vkey', (c) => {
    const signer = c.get('deps').tlogSigner;
    if (!signer) throw new AppError(404, 'no_log_key', 'This deployment has no log signing key configured.');
    return c.body(`${signer.verifierKey}\n`, 200, {
      'content-type': 'text/plain; charset=utf-8',
      'cache-control': 'public, max-age=3600',
    });
  });

  router.get('/log/tile/*', async (c) => {
    const path = c.req.path.slice('/log/'.length);
    const tile = await readTileResource(c.get('deps').db, path);
    if (!tile) throw new AppError(404, 'tile_not_found', `The log has no ${path} (yet).`);
    return c.body(tile.body as Uint8Array<ArrayBuffer>, 200, {
      'content-type': 'application/octet-stream',
      'cache-control': tile.full ? IMMUTABLE : PARTIAL_TILE_CACHE,
    });
  });

  return router
    .openapi(routes.inclusionProof, async (c) => {
      const { index, size } = c.req.valid('query');
      return c.json(await inclusionProofAt(c.get('deps').db, index, size), 200);
    })
    .openapi(routes.consistencyProof, async (c) => {
      const { from, to } = c.req.valid('query');
      return c.json(await consistencyProofBetween(c.get('deps').db, from, to), 200);
    })
    .openapi(routes.logEntry, async (c) => {
      return c.json(await logEntry(c.get('deps').db, c.req.valid('param').index), 200);
    })
    .openapi(routes.tlogProof, async (c) => {
      const { index } = c.req.valid('param');
      const text = await tlogProofAt(c.get('deps').db, index);
      return c.text(text, 200, { 'content-disposition': `attachment; filename="${index}.tlog-proof"` });
    })
    .openapi(routes.listCheckpoints, async (c) => {
      return c.json(await pageOfCheckpoints(c.get('deps').db, c.req.valid('query')), 200);
    });
}
