import { runSubgraph } from '@stagelives/schema';
import { createSetlistsServer } from './server.js';

await runSubgraph('setlists', createSetlistsServer);
