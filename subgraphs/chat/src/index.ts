import { runSubgraph } from '@stagelives/platform/subgraph';
import { createChatServer } from './server.js';

await runSubgraph('chat', createChatServer);
