import { serviceNames, type ServiceName } from '../../contracts/services';
import { participantMigrations, type SchemaMigrations } from '../../services/migrations';
import { gatewayMigrations } from '../../simulators/gateway/migrations';

/** The schemas of the named services (all by default); `payments` is the gateway simulator's. */
export function serviceMigrations(names: readonly ServiceName[] = serviceNames): SchemaMigrations[] {
  return names.map((name) => (name === 'payments' ? gatewayMigrations : participantMigrations(name)));
}
