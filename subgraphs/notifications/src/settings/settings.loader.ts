import { ObjectId } from 'mongodb';
import { createByIdLoader } from '@stagelives/platform/subgraph';
import type { SettingsRepository } from './settings.repository.js';

/** Stored notification preferences by user id, batched per request (null: never saved, the defaults apply). */
export function createPreferencesLoader(repository: SettingsRepository) {
  return createByIdLoader(
    (userIds) => repository.findPreferencesByUserIds(userIds.map((id) => id.toHexString())),
    (doc) => new ObjectId(doc._id),
  );
}
