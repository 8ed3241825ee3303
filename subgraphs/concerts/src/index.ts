import { runSubgraph } from '@stagelives/platform/subgraph';
import { createConcertsServer } from './server.js';

await runSubgraph('concerts', createConcertsServer);
