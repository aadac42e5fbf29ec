import { join } from 'node:path';
import { serve } from '@hono/node-server';
import { openDatabase } from '../../src/db/open.js';
import { generateCosignerKey, parseCosignerKey } from '../../src/features/tlog/cosignature.js';
import { loadOrCreateSecret } from '../../src/node-secrets.js';
import { systemClock } from '../../src/ports/clock.js';
import { jsonLogger } from '../../src/ports/logger.js';
import { createWitnessApp } from './app.js';
import { parseWitnessConfig } from './config.js';
import { logKeysByOrigin, migrateWitness } from './setup.js';

// `npm run witness`: a C2SP tlog-witness an IP office, exchange or court runs for itself, with
// its own database (PGlite under WITNESS_DATA_DIR, or WITNESS_DATABASE_URL) and its own key.
const config = parseWitnessConfig(process.env);
const keyPath = join(config.WITNESS_DATA_DIR, 'witness-signing.key');
const key = config.WITNESS_SIGNING_KEY
  ? { value: config.WITNESS_SIGNING_KEY, created: false }
  : await loadOrCreateSecret(keyPath, () => generateCosignerKey(config.WITNESS_NAME));
const cosigner = await parseCosignerKey(key.value);
const logs = await logKeysByOrigin(config.WITNESS_LOG_KEYS);

const handle = await openDatabase({ databaseUrl: config.WITNESS_DATABASE_URL, dataDir: config.WITNESS_DATA_DIR });
await migrateWitness(handle);
const app = createWitnessApp({ db: handle.db, cosigner, logs, clock: systemClock, log: jsonLogger });

if (!config.WITNESS_SIGNING_KEY) console.log(`witness key ${key.created ? 'created in' : 'read from'} ${keyPath}`);
console.log(`witness ${cosigner.name}; verifier key ${cosigner.verifierKey}`);
console.log(`witnessing ${[...logs.keys()].join(', ')}`);
const server = serve({ fetch: app.fetch, port: config.WITNESS_PORT, hostname: config.WITNESS_HOST }, (info) => {
  console.log(`witness listening on http://${config.WITNESS_HOST}:${info.port} (${handle.flavour})`);
});

let stopping = false;
async function shutdown() {
  if (stopping) return;
  stopping = true;
  // Requests under way finish (their state is written before they answer), then the database closes.
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await handle.close();
  process.exit(0);
}
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
