import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { startServices, type RunningServices } from '../apps/services';
import { keepAsOrphans, temporalDelivery } from '../apps/services/temporal-delivery';
import { loadConfig, type AppConfig, type ServiceName } from '../config';
import { createLogger } from '../config/logger';
import { ensureLocalPostgres, recreateDatabase } from './postgres';
import { freePort } from './process';
import { startTemporalDev, type DevServer } from './temporal-dev';
import { projectRoot } from './tools';

export interface ScratchStack {
  databaseUrl: string;
  services: RunningServices;
  /** Set when asked for: an in-memory dev server on a free port and a client to it. */
  temporal?: { server: DevServer; connection: Connection; client: Client };
  close(): Promise<void>;
}

/**
 * A throwaway stack for scripts (history recording, benchmarks): a fresh `database` on the
 * project-local cluster, the named services in this process on free ports, and optionally an
 * in-memory dev server. `close` stops everything it started, the cluster too if it started it.
 */
export async function scratchStack(opts: {
  database: string;
  services: ServiceName[];
  temporal?: boolean;
  poolSize?: number;
  /** The gateway simulator's timings, when the defaults are too slow for a script. */
  gatewayTimings?: Partial<AppConfig['gateway']['timings']>;
}): Promise<ScratchStack> {
  const config = loadConfig();
  const pg = await ensureLocalPostgres({
    dataDir: join(projectRoot, config.dataDir),
    port: config.database.localPort,
    database: 'saga',
  });
  const stops: (() => Promise<void>)[] = pg.startedHere ? [() => pg.stop()] : [];
  const close = async () => {
    for (const stop of stops.reverse()) await stop();
  };
  try {
    await recreateDatabase(pg.url('postgres'), opts.database);
    const databaseUrl = pg.url(opts.database);
    let temporal: ScratchStack['temporal'];
    if (opts.temporal) {
      const server = await startTemporalDev({
        ip: '127.0.0.1',
        port: await freePort(),
        namespace: 'default',
        logFile: join(projectRoot, '.data', 'logs', `temporal-${opts.database}.log`),
      });
      stops.push(() => server.stop());
      const connection = await Connection.connect({ address: server.address });
      stops.push(() => connection.close());
      temporal = { server, connection, client: new Client({ connection }) };
    }
    const services = await startServices({
      databaseUrl,
      services: opts.services.map((name) => ({ name, host: '127.0.0.1', port: 0 })),
      logger: createLogger('scratch', 'silent'),
      links: {
        // Callbacks go to the billing service started here, on its free port.
        gateway: {
          ...config.gateway,
          callbackUrl: undefined,
          timings: { ...config.gateway.timings, ...opts.gatewayTimings },
        },
        deliver: temporal ? temporalDelivery(temporal.client) : keepAsOrphans,
      },
      ...(opts.poolSize ? { poolSize: opts.poolSize } : {}),
    });
    stops.push(() => services.close());
    return { databaseUrl, services, ...(temporal ? { temporal } : {}), close };
  } catch (err) {
    await close();
    throw err;
  }
}
