import type DataLoader from 'dataloader';
import type { BaseContext } from '@stagelives/platform/subgraph';
import type { ConcertService } from './concert/concert.service.js';
import type { ConcertDocument } from './concert/concert.type.js';
import type { LikeService } from './like/like.service.js';

export interface ConcertsContext extends BaseContext {
  concerts: ConcertService;
  /** Per request: it reads liked concerts through `loaders.concert`. */
  likes: LikeService;
  loaders: {
    concert: DataLoader<string, ConcertDocument | null>;
    /** Whether the viewer likes a concert (false without a viewer). */
    viewerLike: DataLoader<string, boolean>;
  };
}
