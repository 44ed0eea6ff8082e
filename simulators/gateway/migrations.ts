import { fileURLToPath } from 'node:url';
import { sharedMigrationFiles, type SchemaMigrations } from '../../services/shared/migrate';

/** The gateway simulator's schema (`payments`): the shared tables, then its own migrations. */
export const gatewayMigrations: SchemaMigrations = {
  schema: 'payments',
  files: [sharedMigrationFiles, fileURLToPath(new URL('./migrations/*.sql', import.meta.url))],
};
