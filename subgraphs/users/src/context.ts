import type DataLoader from 'dataloader';
import type { BaseContext } from '@stagelives/platform/subgraph';
import type { AccountEmailService } from './account-email/account-email.service.js';
import type { AuthService } from './auth/auth.service.js';
import type { StaffService } from './staff/staff.service.js';
import type { UserService } from './user/user.service.js';
import type { UserDocument } from './user/user.type.js';

export interface UsersContext extends BaseContext {
  auth: AuthService;
  accountEmail: AccountEmailService;
  users: UserService;
  staff: StaffService;
  loaders: {
    user: DataLoader<string, UserDocument | null>;
  };
}
