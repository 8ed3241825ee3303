import type { ApolloServerPlugin } from '@apollo/server';
import { Metrics, errorCodeLabel, operationNames } from '../metrics.js';

/**
 * A subgraph's Prometheus series (`stagelives_subgraph_*`, labelled with the subgraph's name),
 * served at `/metrics` on its own internal port. The router names its subgraph operations
 * `<client operation>__<subgraph>__<n>`: the label keeps the client's operation name.
 */
export function subgraphMetrics(subgraph: string) {
  const metrics = new Metrics();
  const label = operationNames();
  const requests = metrics.counter(
    'subgraph_requests_total',
    'GraphQL operations a subgraph served, by operation name and outcome (ok, or the first error code).',
    ['subgraph', 'operation', 'outcome'],
  );
  const duration = metrics.histogram('subgraph_request_duration_seconds', 'Time a subgraph took to answer an operation, by operation name.', [
    'subgraph',
    'operation',
  ]);
  const errors = metrics.counter('subgraph_errors_total', 'GraphQL errors a subgraph answered, by operation name and error code.', [
    'subgraph',
    'operation',
    'code',
  ]);

  const plugin: ApolloServerPlugin<object> = {
    async requestDidStart() {
      const started = performance.now();
      return {
        async willSendResponse({ operationName, request, errors: errs }) {
          const operation = label((operationName ?? request.operationName)?.replace(/__[A-Za-z0-9_]+?__\d+$/, ''));
          const first = errs?.[0];
          requests.inc({ subgraph, operation, outcome: first ? errorCodeLabel(first.extensions?.code) : 'ok' });
          duration.observe({ subgraph, operation }, (performance.now() - started) / 1000);
          for (const error of errs ?? []) errors.inc({ subgraph, operation, code: errorCodeLabel(error.extensions?.code) });
        },
      };
    },
  };
  return { metrics, plugin };
}
