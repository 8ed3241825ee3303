import { ObjectId } from 'mongodb';
import { ok, type Stack } from '../support/harness.js';

export const HIDE =
  'mutation HideContent($targetType: ReportTargetType!, $targetId: ID!, $reason: String!) { hideContent(targetType: $targetType, targetId: $targetId, reason: $reason) }';
export const RESTORE =
  'mutation RestoreContent($targetType: ReportTargetType!, $targetId: ID!) { restoreContent(targetType: $targetType, targetId: $targetId) }';

/**
 * Makes a signed-up user a moderator: the role is written to the account (the users domain's own
 * `grantRole` is another part of this issue), then the user signs in again, so the new session
 * carries it. Returns the new token.
 */
export async function asModerator(stack: Stack, user: { user: { id: string }; email: string; password: string }): Promise<string> {
  await stack.mongo
    .db('users')
    .collection('users')
    .updateOne({ _id: new ObjectId(user.user.id) }, { $set: { roles: ['USER', 'MODERATOR'] } });
  const { logIn } = await ok<{ logIn: { sessionToken: string; user: { roles: string[] } } }>(
    stack,
    'mutation($email: String!, $password: String!) { logIn(email: $email, password: $password) { sessionToken user { roles } } }',
    { email: user.email, password: user.password },
  );
  if (!logIn.user.roles.includes('MODERATOR')) throw new Error(`not a moderator: ${logIn.user.roles.join(',')}`);
  return logIn.sessionToken;
}
