import type DataLoader from 'dataloader';
import type { BaseContext } from '@stagelives/schema';
import type { ConcertService } from './concert/concert.service.js';
import type { ConcertDocument } from './concert/concert.type.js';

export interface ConcertsContext extends BaseContext {
  concerts: ConcertService;
  loaders: {
    concert: DataLoader<string, ConcertDocument | null>;
  };
}
