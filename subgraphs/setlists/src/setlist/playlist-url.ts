import { BadUserInputError } from '@stagelives/schema';

export type PlaylistProviderName = 'YOUTUBE_MUSIC' | 'SPOTIFY';

export interface ParsedPlaylist {
  provider: PlaylistProviderName;
  /** The canonical web URL: no tracking parameters, no locale, one form per playlist. */
  url: string;
  /** The provider's playlist id. */
  externalId: string;
}

/** YouTube playlist ids: PL…, OLAK5uy_…, RDCLAK5uy_… and friends; URL-safe base64 alphabet. */
const YOUTUBE_LIST = /^[A-Za-z0-9_-]{6,64}$/;
/** Spotify ids are base62, 22 characters. */
const SPOTIFY_ID = /^[A-Za-z0-9]{22}$/;

const YOUTUBE_HOSTS = new Set(['music.youtube.com', 'youtube.com', 'www.youtube.com', 'm.youtube.com']);
const SPOTIFY_HOSTS = new Set(['open.spotify.com', 'play.spotify.com']);

const youtube = (list: string): ParsedPlaylist => ({
  provider: 'YOUTUBE_MUSIC',
  url: `https://music.youtube.com/playlist?list=${list}`,
  externalId: list,
});
const spotify = (id: string): ParsedPlaylist => ({ provider: 'SPOTIFY', url: `https://open.spotify.com/playlist/${id}`, externalId: id });

function parseSpotifyUri(text: string): ParsedPlaylist | null {
  // spotify:playlist:<id> and the legacy spotify:user:<name>:playlist:<id>
  const parts = text.split(':');
  if (parts[0]?.toLowerCase() !== 'spotify') return null;
  const at = parts.lastIndexOf('playlist');
  const id = parts[at + 1];
  const shapeOk = (parts.length === 3 && at === 1) || (parts.length === 5 && at === 3 && parts[1] === 'user');
  return shapeOk && id && SPOTIFY_ID.test(id) ? spotify(id) : null;
}

function parseUrl(text: string): ParsedPlaylist | null {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return null;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return null;
  if (url.username || url.password || (url.port && url.port !== '443' && url.port !== '80')) return null;
  const host = url.hostname.toLowerCase();
  const segments = url.pathname.split('/').filter(Boolean);

  if (YOUTUBE_HOSTS.has(host)) {
    // /playlist?list=…, /watch?v=…&list=… (playing from a playlist), and /browse/VL<list> on YouTube Music
    const list = url.searchParams.get('list');
    if ((segments[0] === 'playlist' || segments[0] === 'watch') && segments.length === 1 && list && YOUTUBE_LIST.test(list)) {
      return youtube(list);
    }
    if (host === 'music.youtube.com' && segments[0] === 'browse' && segments.length === 2 && segments[1]!.startsWith('VL')) {
      const id = segments[1]!.slice(2);
      if (YOUTUBE_LIST.test(id)) return youtube(id);
    }
    return null;
  }

  if (SPOTIFY_HOSTS.has(host)) {
    // /playlist/<id>, /intl-xx/playlist/<id>, /embed/playlist/<id>, /user/<name>/playlist/<id>
    let rest = segments;
    if (rest[0]?.startsWith('intl-')) rest = rest.slice(1);
    if (rest[0] === 'embed') rest = rest.slice(1);
    if (rest[0] === 'user' && rest.length === 4) rest = rest.slice(2);
    if (rest.length === 2 && rest[0] === 'playlist' && SPOTIFY_ID.test(rest[1]!)) return spotify(rest[1]!);
    return null;
  }
  return null;
}

/** Recognises a YouTube Music or Spotify playlist link in its web, share or app form; null otherwise. */
export function parsePlaylistUrl(value: string): ParsedPlaylist | null {
  const text = value.trim();
  if (!text || text.length > 2048) return null;
  return parseSpotifyUri(text) ?? parseUrl(text);
}

/** Like parsePlaylistUrl, but refuses anything else with BAD_USER_INPUT naming the URL and the field. */
export function normalizePlaylistUrl(value: string, field: string): ParsedPlaylist {
  const parsed = parsePlaylistUrl(value);
  if (parsed) return parsed;
  const shown = value.trim().length > 200 ? `${value.trim().slice(0, 200)}…` : value.trim();
  throw new BadUserInputError(`${field} is not a YouTube Music or Spotify playlist URL: "${shown}".`, field);
}
