import { runSubgraph } from '@stagelives/platform/subgraph';
import { createModerationServer } from './server.js';

await runSubgraph('moderation', createModerationServer);
