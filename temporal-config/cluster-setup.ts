import { Connection } from '@temporalio/client';
import { loadConfig } from '../config/index';
import { temporalConnectionOptions } from './connection';
import { runMain } from '../config/entry';
import { ensureNamespace } from './namespace';
import { registerSearchAttributes } from './register-search-attributes';
import { searchAttributes } from '../contracts/search-attributes';

/**
 * `npm run cluster:setup [-- --create-namespace]`: registers the project's search attributes in
 * TEMPORAL_NAMESPACE of the configured cluster; with `--create-namespace` it first creates the
 * namespace when missing (three days' retention). Without the flag a missing namespace is an error,
 * so a typo in TEMPORAL_NAMESPACE never creates one. Self-hosted; on Temporal Cloud create the
 * namespace and add the attributes in the Cloud UI or with tcld. Safe to repeat.
 */
async function run(): Promise<void> {
  const config = loadConfig();
  const connection = await Connection.connect(temporalConnectionOptions(config.temporal));
  try {
    const { namespace } = config.temporal;
    const create = process.argv.slice(2).includes('--create-namespace');
    if (create && (await ensureNamespace(connection, namespace))) console.log(`created namespace ${namespace}`);
    const added = await registerSearchAttributes(connection, namespace);
    const names = searchAttributes.map((k) => k.name).join(', ');
    console.log(added.length > 0 ? `registered ${added.join(', ')}` : `search attributes already registered: ${names}`);
  } finally {
    await connection.close();
  }
}

runMain(run);
