import { runSubgraph } from '@stagelives/schema';
import { createConcertsServer } from './server.js';

await runSubgraph('concerts', createConcertsServer);
