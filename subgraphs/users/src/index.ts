import { runSubgraph } from '@stagelives/schema';
import { createUsersServer } from './server.js';

await runSubgraph('users', createUsersServer);
