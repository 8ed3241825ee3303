import type DataLoader from 'dataloader';
import type { BaseContext } from '@stagelives/platform/subgraph';
import type { SetlistService } from './setlist/setlist.service.js';
import type { SetlistDocument } from './setlist/setlist.type.js';

export interface SetlistsContext extends BaseContext {
  setlists: SetlistService;
  loaders: {
    setlistByConcert: DataLoader<string, SetlistDocument | null>;
  };
}
