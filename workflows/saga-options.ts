import { FlowType, SagaStatus } from '../contracts/search-attributes';
import type { SagaOptions } from './saga';

/**
 * How every flow of this application names its saga to the outside: the FlowType and SagaStatus
 * search attributes (registered with the cluster from contracts/search-attributes) and the
 * `saga_*` metrics. The saga library itself knows none of these names.
 */
export function appSagaOptions(flowType: string): SagaOptions {
  return {
    flowType,
    searchAttributes: { flowType: FlowType, status: SagaStatus },
    metrics: { prefix: 'saga' },
  };
}
