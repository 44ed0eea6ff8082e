import { idempotencyMigrationFile, type SchemaMigrations } from '../../services/shared/migrate';

/** The HTTP API's own schema (`api`): the answers it keeps per Idempotency-Key. */
export const apiMigrations: SchemaMigrations = { schema: 'api', files: [idempotencyMigrationFile] };
