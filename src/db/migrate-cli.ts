import { grantAppRole } from './app-role.js';
import { migrate } from './migrate.js';
import { openDatabase } from './open.js';

// `npm run migrate`: applies schema/ to PostgreSQL, or to the embedded database under DATA_DIR.
// Migrations run as the owner of the tables: MIGRATION_DATABASE_URL, else DATABASE_URL (one role).
// DATABASE_APP_ROLE names the role the application connects as; it gets its privileges afterwards,
// without UPDATE, DELETE or TRUNCATE on history (README "Database roles").
const databaseUrl = process.env.MIGRATION_DATABASE_URL || process.env.DATABASE_URL;
const appRole = process.env.DATABASE_APP_ROLE;
const handle = await openDatabase({ databaseUrl, dataDir: process.env.DATA_DIR ?? './data' });
try {
  const applied = await migrate(handle);
  console.log(applied.length ? `applied: ${applied.join(', ')}` : 'schema is up to date');
  if (appRole) {
    if (handle.flavour !== 'postgres')
      throw new Error('DATABASE_APP_ROLE needs PostgreSQL (MIGRATION_DATABASE_URL or DATABASE_URL)');
    await grantAppRole(handle.db, appRole);
    console.log(`granted ${appRole} the application's privileges (history tables: SELECT and INSERT only)`);
  }
} finally {
  await handle.close();
}
