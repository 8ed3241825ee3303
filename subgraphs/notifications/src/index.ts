import { runSubgraph } from '@stagelives/platform/subgraph';
import { createNotificationsServer } from './server.js';

await runSubgraph('notifications', createNotificationsServer);
