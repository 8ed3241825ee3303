import { ObjectId } from 'mongodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { scratchSuite } from '@stagelives/devkit';
import { BadUserInputError } from '@stagelives/schema';
import { createPreferencesLoader } from '../src/settings/settings.loader.js';
import { SettingsRepository } from '../src/settings/settings.repository.js';
import { SettingsService } from '../src/settings/settings.service.js';
import { DevicePlatform } from '../src/settings/settings.type.js';

describe('device tokens and preferences (FerretDB)', () => {
  const scratch = scratchSuite({ beforeAll, afterAll }, { mongoUri: inject('mongoUri') });
  let repo: SettingsRepository;
  let service: SettingsService;
  beforeAll(async () => {
    repo = new SettingsRepository(scratch.db('notifications'));
    await repo.ensureIndexes();
    service = new SettingsService(repo);
  });

  const userId = () => new ObjectId().toHexString();

  it('should keep the collections and indexes where they always were, also after a restart', async () => {
    await repo.ensureIndexes();
    const db = scratch.db('notifications');
    expect((await db.collection('device_tokens').listIndexes().toArray()).map((i) => i.name).sort()).toEqual(['_id_', 'userId']);
    expect(repo.devices.collectionName).toBe('device_tokens');
    expect(repo.preferences.collectionName).toBe('notification_preferences');
  });

  it('should give a token to one user at a time and let only its owner remove it', async () => {
    const [a, b] = [userId(), userId()];
    const token = `fcm-${a}`;
    await service.registerDevice(a, token, DevicePlatform.ANDROID);
    expect(await repo.devices.findOne({ _id: token })).toMatchObject({ userId: a, platform: 'ANDROID' });
    const created = (await repo.devices.findOne({ _id: token }))!.createdAt;
    await service.registerDevice(b, token, DevicePlatform.IOS);
    expect(await repo.devices.find({ _id: token }).toArray()).toEqual([expect.objectContaining({ userId: b, platform: 'IOS', createdAt: created })]);
    await service.unregisterDevice(a, token);
    expect(await repo.devices.countDocuments({ _id: token })).toBe(1);
    expect(await repo.unregisterDevice(b, token)).toBe(true);
    expect(await repo.unregisterDevice(b, token)).toBe(false);
    await expect(service.registerDevice(a, 'has space', DevicePlatform.WEB)).rejects.toBeInstanceOf(BadUserInputError);
    expect(await repo.devices.countDocuments({ userId: a })).toBe(0);
  });

  it('should apply preference changes onto the defaults, then onto what is stored', async () => {
    const id = userId();
    expect(await service.updatePreferences(id, { ticketOpen: false })).toEqual({
      ticketOpen: false,
      concertStart: true,
      ticketOpenLeadMinutes: 60,
      concertStartLeadMinutes: 120,
    });
    expect(await service.updatePreferences(id, { concertStartLeadMinutes: 30, ticketOpen: null })).toEqual({
      ticketOpen: false,
      concertStart: true,
      ticketOpenLeadMinutes: 60,
      concertStartLeadMinutes: 30,
    });
    const stored = await repo.preferences.findOne({ _id: id });
    expect(stored).toMatchObject({ _id: id, ticketOpen: false, concertStart: true, ticketOpenLeadMinutes: 60, concertStartLeadMinutes: 30 });
    expect(stored!.updatedAt).toBeInstanceOf(Date);
    await expect(service.updatePreferences(id, { ticketOpen: true, ticketOpenLeadMinutes: 4 })).rejects.toBeInstanceOf(BadUserInputError);
    expect((await repo.preferences.findOne({ _id: id }))!.ticketOpen).toBe(false); // nothing written
  });

  it('should load stored preferences per request in one batch, null for users who never saved any', async () => {
    const [saved, never] = [userId(), userId()];
    await service.updatePreferences(saved, { concertStart: false });
    const loader = createPreferencesLoader(repo);
    const [a, b, c, bad] = await Promise.all([loader.load(saved), loader.load(never), loader.load(saved.toUpperCase()), loader.load('not-an-id')]);
    expect(a).toMatchObject({ _id: saved, concertStart: false });
    expect(b).toBeNull();
    expect(c).toMatchObject({ _id: saved });
    expect(bad).toBeNull();
  });

  it('should forget devices and preferences of a deleted account, and only those', async () => {
    const [gone, stays] = [userId(), userId()];
    await service.registerDevice(gone, `d1-${gone}`, DevicePlatform.WEB);
    await service.registerDevice(gone, `d2-${gone}`, DevicePlatform.IOS);
    await service.registerDevice(stays, `d1-${stays}`, DevicePlatform.WEB);
    await service.updatePreferences(gone, { ticketOpen: false });
    await service.updatePreferences(stays, { ticketOpen: false });
    await repo.deleteByUser(gone);
    await repo.deleteByUser(gone);
    expect(await repo.deletedAmong([gone, stays])).toEqual(new Set([gone]));
    expect(await repo.devices.countDocuments({ userId: gone })).toBe(0);
    expect(await repo.preferences.countDocuments({ _id: gone })).toBe(0);
    expect(await repo.devices.countDocuments({ userId: stays })).toBe(1);
    expect(await repo.preferences.countDocuments({ _id: stays })).toBe(1);
  });
});
