import type DataLoader from 'dataloader';
import type { NotificationPreferences, NotificationSettingsRepository } from './settings/settings.repository.js';
import type { BaseContext } from '@stagelives/platform/subgraph';
import type { AuthService } from './auth/auth.service.js';
import type { UserService } from './user/user.service.js';
import type { UserDocument } from './user/user.type.js';

export interface UsersContext extends BaseContext {
  auth: AuthService;
  users: UserService;
  settings: NotificationSettingsRepository;
  loaders: {
    user: DataLoader<string, UserDocument | null>;
    preferences: DataLoader<string, NotificationPreferences>;
  };
}
