import { fileURLToPath } from 'node:url';
import type { ServiceName } from '../contracts/services';
import { sharedMigrationFiles, type SchemaMigrations } from './shared/migrate';

export { migrate, type SchemaMigrations } from './shared/migrate';

/** A participant's schema: the shared tables, then its own `services/<name>/migrations/`. */
export function participantMigrations(name: Exclude<ServiceName, 'payments'>): SchemaMigrations {
  return {
    schema: name,
    files: [sharedMigrationFiles, fileURLToPath(new URL(`./${name}/migrations/*.sql`, import.meta.url))],
  };
}
