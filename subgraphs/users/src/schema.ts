import { buildFederatedSchema } from '@stagelives/schema';
import { AccountEmailResolver } from './account-email/account-email.resolver.js';
import { AuthResolver } from './auth/auth.resolver.js';
import { StaffResolver } from './staff/staff.resolver.js';
import { userReferenceResolver } from './user/user.reference.js';
import { UserResolver } from './user/user.resolver.js';

/** The users subgraph schema. */
export function buildSchema() {
  return buildFederatedSchema({ resolvers: [UserResolver, AuthResolver, AccountEmailResolver, StaffResolver] }, userReferenceResolver);
}
