import { runSubgraph } from '@stagelives/platform/subgraph';
import { createArticlesServer } from './server.js';

await runSubgraph('articles', createArticlesServer);
