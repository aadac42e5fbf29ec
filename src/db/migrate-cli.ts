import { migrate } from './migrate.js';
import { openDatabase } from './open.js';

// `npm run migrate`: applies schema/ to DATABASE_URL, or to the embedded database under DATA_DIR.
const handle = await openDatabase({ databaseUrl: process.env.DATABASE_URL, dataDir: process.env.DATA_DIR ?? './data' });
try {
  const applied = await migrate(handle);
  console.log(applied.length ? `applied: ${applied.join(', ')}` : 'schema is up to date');
} finally {
  await handle.close();
}
