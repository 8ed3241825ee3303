import { runSubgraph } from '@stagelives/schema';
import { createArticlesServer } from './server.js';

await runSubgraph('articles', createArticlesServer);
