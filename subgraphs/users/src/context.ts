import type DataLoader from 'dataloader';
import type { BaseContext } from '@stagelives/schema';
import type { AuthService } from './auth/auth.service.js';
import type { UserDocument } from './user/user.type.js';

export interface UsersContext extends BaseContext {
  auth: AuthService;
  loaders: {
    user: DataLoader<string, UserDocument | null>;
  };
}
