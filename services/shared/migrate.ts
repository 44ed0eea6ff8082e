import { fileURLToPath } from 'node:url';
import { runner } from 'node-pg-migrate';
import type { Logger } from 'pino';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

/** One schema and the migration files (globs) that build it, applied in file-name order across all. */
export interface SchemaMigrations {
  schema: string;
  files: string[];
}

/** The toolkit's tables every participant has: idempotency keys (000) and the TCC barrier. */
export const sharedMigrationFiles = here('./migrations/*.sql');
/** Only the idempotency-key table, for a process that stores answers but has no TCC (the HTTP API). */
export const idempotencyMigrationFile = here('./migrations/000_idempotency_keys.sql');

/**
 * Applies every pending migration of each schema, with node-pg-migrate: versioned files, a
 * `pgmigrations` table per schema, and an advisory lock so concurrent starts wait for each other
 * instead of racing. Running it again applies nothing. Throws on a failed migration, which is
 * rolled back.
 */
export async function migrate(
  databaseUrl: string,
  logger: Pick<Logger, 'info'>,
  schemas: readonly SchemaMigrations[],
): Promise<void> {
  for (const { schema, files } of schemas) {
    const applied = await runner({
      databaseUrl,
      dir: files,
      useGlob: true,
      schema,
      createSchema: true,
      migrationsSchema: schema,
      createMigrationsSchema: true,
      migrationsTable: 'pgmigrations',
      direction: 'up',
      count: Infinity,
      checkOrder: true,
      advisoryLockMode: 'wait',
      log: () => undefined,
    });
    if (applied.length > 0) logger.info({ schema, migrations: applied.map((m) => m.name) }, 'migrations applied');
  }
}
