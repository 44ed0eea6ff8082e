import { accessSync, constants } from 'node:fs';
import { delimiter, join, resolve } from 'node:path';

export const projectRoot = resolve(import.meta.dirname, '..');
const toolsDir = join(projectRoot, '.tools');

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function onPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir !== '' && executable(join(dir, name))) return join(dir, name);
  }
  return undefined;
}

function firstExisting(what: string, candidates: (string | undefined)[]): string {
  const found = candidates.find((c): c is string => c !== undefined && executable(c));
  if (found === undefined) throw new Error(`${what} not found; run \`bash provision/bootstrap.sh\` to install it`);
  return found;
}

/** The `temporal` CLI: $TEMPORAL_CLI, then one on PATH, then the project's own install. */
export function temporalCliPath(): string {
  if (process.env.TEMPORAL_CLI)
    return firstExisting(`TEMPORAL_CLI (${process.env.TEMPORAL_CLI})`, [process.env.TEMPORAL_CLI]);
  return firstExisting('the temporal CLI', [
    onPath('temporal'),
    join(toolsDir, 'venv', 'bin', 'temporal'),
    join(toolsDir, 'bin', 'temporal'),
  ]);
}

/** The time-skipping test server: $TEMPORAL_TEST_SERVER, then the project's own install. */
export function testServerPath(): string {
  return firstExisting('the Temporal time-skipping test server', [
    process.env.TEMPORAL_TEST_SERVER,
    join(toolsDir, 'venv', 'bin', 'temporal-test-server'),
  ]);
}

/**
 * `nats-server`: $NATS_SERVER, then the project's own install (`.tools/bin`, linked by bootstrap),
 * then one on PATH.
 */
export function natsServerPath(): string {
  if (process.env.NATS_SERVER)
    return firstExisting(`NATS_SERVER (${process.env.NATS_SERVER})`, [process.env.NATS_SERVER]);
  return firstExisting('nats-server', [join(toolsDir, 'bin', 'nats-server'), onPath('nats-server')]);
}

/** The production Temporal server: $TEMPORAL_SERVER, then the project's own build (`bash provision/temporal-server.sh`). */
export function temporalServerPath(): string {
  if (process.env.TEMPORAL_SERVER)
    return firstExisting(`TEMPORAL_SERVER (${process.env.TEMPORAL_SERVER})`, [process.env.TEMPORAL_SERVER]);
  return firstExisting('temporal-server (run `bash provision/temporal-server.sh` to build it)', [
    join(toolsDir, 'bin', 'temporal-server'),
  ]);
}

/** `temporal-sql-tool`, which creates and updates the production server's schema. */
export function temporalSqlToolPath(): string {
  return firstExisting('temporal-sql-tool (run `bash provision/temporal-server.sh` to build it)', [
    process.env.TEMPORAL_SQL_TOOL,
    join(toolsDir, 'bin', 'temporal-sql-tool'),
  ]);
}

/** The standalone Temporal Web UI server, built next to the production server. */
export function temporalUiServerPath(): string {
  return firstExisting('temporal-ui-server (run `bash provision/temporal-server.sh` to build it)', [
    process.env.TEMPORAL_UI_SERVER,
    join(toolsDir, 'bin', 'temporal-ui-server'),
  ]);
}
