import { runSubgraph } from '@stagelives/platform/subgraph';
import { createUsersServer } from './server.js';

await runSubgraph('users', createUsersServer);
