import { Connection } from '@temporalio/client';
import { loadConfig } from '../config/index';
import { temporalConnectionOptions } from './connection';
import { runMain } from '../config/entry';
import { registerSearchAttributes } from './register-search-attributes';
import { searchAttributes } from '../contracts/search-attributes';

/**
 * `npm run cluster:setup`: registers the project's search attributes in TEMPORAL_NAMESPACE of the
 * configured cluster (self-hosted; on Temporal Cloud add them in the Cloud UI or with tcld).
 * Safe to repeat.
 */
async function run(): Promise<void> {
  const config = loadConfig();
  const connection = await Connection.connect(temporalConnectionOptions(config.temporal));
  try {
    const added = await registerSearchAttributes(connection, config.temporal.namespace);
    const names = searchAttributes.map((k) => k.name).join(', ');
    console.log(added.length > 0 ? `registered ${added.join(', ')}` : `search attributes already registered: ${names}`);
  } finally {
    await connection.close();
  }
}

runMain(run);
