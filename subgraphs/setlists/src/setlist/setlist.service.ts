import { BadUserInputError, cleanText, parseId } from '@stagelives/schema';
import { normalizePlaylistUrl } from './playlist-url.js';
import { SETLIST_LIMITS } from './setlist.limits.js';
import type { SetlistInput } from './setlist.input.js';
import type { SetlistRepository } from './setlist.repository.js';
import type { PlaylistDocument, SetlistDocument, SongDocument } from './setlist.type.js';

export class SetlistService {
  constructor(private readonly setlists: SetlistRepository) {}

  /** Replaces the concert's setlist (creating it when there is none). */
  async upsert(concertId: string, input: SetlistInput): Promise<SetlistDocument> {
    const id = parseId(concertId, 'concertId');
    if (input.songs.length > SETLIST_LIMITS.songs) {
      throw new BadUserInputError(`input.songs may hold at most ${SETLIST_LIMITS.songs} songs.`, 'input.songs');
    }
    const songs: SongDocument[] = input.songs.map((song, i) => ({
      order: i + 1,
      title: cleanText(song.title, { field: `input.songs[${i}].title`, max: SETLIST_LIMITS.title }),
      artist: song.artist?.trim() ? cleanText(song.artist, { field: `input.songs[${i}].artist`, max: SETLIST_LIMITS.artist }) : null,
    }));
    const urls = input.playlistUrls ?? [];
    if (urls.length > SETLIST_LIMITS.playlists) {
      throw new BadUserInputError(`input.playlistUrls may hold at most ${SETLIST_LIMITS.playlists} links.`, 'input.playlistUrls');
    }
    const playlists: PlaylistDocument[] = [];
    for (const [i, url] of urls.entries()) {
      const parsed = normalizePlaylistUrl(url, `input.playlistUrls[${i}]`);
      // Two links to one playlist (e.g. with and without tracking parameters) are one playlist.
      if (!playlists.some((p) => p.url === parsed.url)) playlists.push(parsed);
    }
    return this.setlists.upsert(id, songs, playlists, new Date());
  }

  /** Idempotent: true when a setlist was deleted, false when the concert had none. */
  delete(concertId: string): Promise<boolean> {
    return this.setlists.deleteByConcert(parseId(concertId, 'concertId'));
  }
}
