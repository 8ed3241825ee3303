import type DataLoader from 'dataloader';
import type { BaseContext } from '@stagelives/platform/subgraph';
import type { AuthService } from './auth/auth.service.js';
import type { SettingsService } from './settings/settings.service.js';
import type { PreferencesDocument } from './settings/settings.type.js';
import type { UserService } from './user/user.service.js';
import type { UserDocument } from './user/user.type.js';

export interface UsersContext extends BaseContext {
  auth: AuthService;
  users: UserService;
  settings: SettingsService;
  loaders: {
    user: DataLoader<string, UserDocument | null>;
    /** Stored notification preferences by user id; null when the user never saved any. */
    preferences: DataLoader<string, PreferencesDocument | null>;
  };
}
