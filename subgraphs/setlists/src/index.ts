// Tracing starts before anything else loads (OTEL_EXPORTER_OTLP_ENDPOINT; off when unset).
import '@stagelives/platform/telemetry/register';
import { runSubgraph } from '@stagelives/platform/subgraph';
import { createSetlistsServer } from './server.js';

await runSubgraph('setlists', createSetlistsServer);
