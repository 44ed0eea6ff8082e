import { fileURLToPath } from 'node:url';
import { runner } from 'node-pg-migrate';
import type { Logger } from 'pino';
import { serviceNames, type ServiceName } from '../contracts/services';

const dir = (path: string) => fileURLToPath(new URL(path, import.meta.url));

/** The schemas the project migrates: one per service, and `api` for the HTTP API's idempotency keys. */
export type MigratedSchema = ServiceName | 'api';

/**
 * Applies every pending migration of each service into the service's own schema, with node-pg-migrate:
 * versioned files, a `pgmigrations` table per schema, and an advisory lock so concurrent starts wait
 * for each other instead of racing. Running it again applies nothing. Throws on a failed migration,
 * which is rolled back.
 */
export async function migrate(
  databaseUrl: string,
  logger: Pick<Logger, 'info'>,
  services: readonly MigratedSchema[] = [...serviceNames, 'api'],
): Promise<void> {
  for (const service of services) {
    const applied = await runner({
      databaseUrl,
      // Shared tables (000_*) first, then the service's own, ordered by file name across both folders.
      // The API has only the shared idempotency keys.
      dir:
        service === 'api'
          ? [dir('./shared/migrations/000_idempotency_keys.sql')]
          : [
              dir('./shared/migrations/*.sql'),
              dir(`${service === 'payments' ? '../simulators/gateway' : `./${service}`}/migrations/*.sql`),
            ],
      useGlob: true,
      schema: service,
      createSchema: true,
      migrationsSchema: service,
      createMigrationsSchema: true,
      migrationsTable: 'pgmigrations',
      direction: 'up',
      count: Infinity,
      checkOrder: true,
      advisoryLockMode: 'wait',
      log: () => undefined,
    });
    if (applied.length > 0) logger.info({ service, migrations: applied.map((m) => m.name) }, 'migrations applied');
  }
}
