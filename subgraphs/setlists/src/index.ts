import { runSubgraph } from '@stagelives/platform/subgraph';
import { createSetlistsServer } from './server.js';

await runSubgraph('setlists', createSetlistsServer);
