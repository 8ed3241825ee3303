import { describe, expect, it } from 'vitest';
import { normalizePlaylistUrl, parsePlaylistUrl } from '../src/setlist/playlist-url.js';

const YT = 'PLabc123_-XYZdef';
const YT_CANONICAL = `https://music.youtube.com/playlist?list=${YT}`;
const SP = '37i9dQZF1DXcBWIGoYBM5M';
const SP_CANONICAL = `https://open.spotify.com/playlist/${SP}`;

describe(parsePlaylistUrl.name, () => {
  it.each([
    // YouTube Music web, as copied from the address bar or the share sheet (with tracking)
    [`https://music.youtube.com/playlist?list=${YT}`],
    [`https://music.youtube.com/playlist?list=${YT}&si=AbCdEfGhIjKlMnOp`],
    [`  https://MUSIC.youtube.com/playlist?si=xyz&list=${YT}&feature=share  `],
    [`http://music.youtube.com/playlist?list=${YT}#top`],
    // playing a song from the playlist; YouTube Music's browse page (VL prefix)
    [`https://music.youtube.com/watch?v=dQw4w9WgXcQ&list=${YT}`],
    [`https://music.youtube.com/browse/VL${YT}`],
    // the same playlist opened on YouTube (app links from the YouTube app, mobile web)
    [`https://www.youtube.com/playlist?list=${YT}`],
    [`https://youtube.com/playlist?list=${YT}&si=tracking`],
    [`https://m.youtube.com/playlist?list=${YT}&utm_source=share`],
  ])('should recognise YouTube Music %s', (url) => {
    expect(parsePlaylistUrl(url)).toEqual({ provider: 'YOUTUBE_MUSIC', url: YT_CANONICAL, externalId: YT });
  });

  it('should keep album-style and radio playlist ids whole', () => {
    expect(parsePlaylistUrl('https://music.youtube.com/playlist?list=OLAK5uy_kR0SG7ZqBvI7vXeGnOdpZ4j8l3b4Xb8qE')?.externalId).toBe(
      'OLAK5uy_kR0SG7ZqBvI7vXeGnOdpZ4j8l3b4Xb8qE',
    );
    expect(parsePlaylistUrl('https://music.youtube.com/playlist?list=RDCLAK5uy_lBNUteBRencHzKelu5iDHwLF6mYqjL-JU')?.externalId).toBe(
      'RDCLAK5uy_lBNUteBRencHzKelu5iDHwLF6mYqjL-JU',
    );
  });

  it.each([
    // Spotify web, share links with tracking, localised paths, embeds, legacy user paths
    [`https://open.spotify.com/playlist/${SP}`],
    [`https://open.spotify.com/playlist/${SP}?si=1a2b3c4d5e6f7a8b`],
    [`https://open.spotify.com/playlist/${SP}?si=abc&utm_source=copy-link&pt=xyz`],
    [`https://open.spotify.com/intl-ko/playlist/${SP}`],
    [`https://open.spotify.com/embed/playlist/${SP}?utm_source=generator`],
    [`https://open.spotify.com/user/spotify/playlist/${SP}`],
    [`https://play.spotify.com/playlist/${SP}`],
    [`https://open.spotify.com/playlist/${SP}/`],
    // app links (Spotify URIs)
    [`spotify:playlist:${SP}`],
    [`spotify:user:someone:playlist:${SP}`],
  ])('should recognise Spotify %s', (url) => {
    expect(parsePlaylistUrl(url)).toEqual({ provider: 'SPOTIFY', url: SP_CANONICAL, externalId: SP });
  });

  it.each([
    ['another site', `https://evil.example.com/playlist?list=${YT}`],
    ['a look-alike host', `https://music.youtube.com.evil.example/playlist?list=${YT}`],
    ['a YouTube video, not a playlist', 'https://music.youtube.com/watch?v=dQw4w9WgXcQ'],
    ['a YouTube playlist page without an id', 'https://music.youtube.com/playlist'],
    ['a YouTube id with bad characters', 'https://music.youtube.com/playlist?list=PL<script>'],
    ['a YouTube id too short to be a playlist', 'https://music.youtube.com/playlist?list=LM'],
    ['a YouTube channel', 'https://music.youtube.com/channel/UC1234567890abcdefghij'],
    ['a Spotify album', `https://open.spotify.com/album/${SP}`],
    ['a Spotify track', `https://open.spotify.com/track/${SP}`],
    ['a Spotify id of the wrong length', 'https://open.spotify.com/playlist/37i9dQZF1DX'],
    ['a Spotify URI of an album', `spotify:album:${SP}`],
    ['a Spotify short link (needs a network lookup)', 'https://spotify.link/AbCdEf123'],
    ['javascript', `javascript:alert('${SP}')`],
    ['ftp', `ftp://open.spotify.com/playlist/${SP}`],
    ['credentials in the URL', `https://user:pw@open.spotify.com/playlist/${SP}`],
    ['an odd port', `https://open.spotify.com:8443/playlist/${SP}`],
    ['text', 'my favourite playlist'],
    ['nothing', ''],
  ])('should refuse %s', (_, url) => {
    expect(parsePlaylistUrl(url)).toBeNull();
  });

  it('should name the bad URL and the field in a BAD_USER_INPUT error', () => {
    const error = (() => {
      try {
        normalizePlaylistUrl('https://example.com/nope', 'input.playlistUrls[2]');
      } catch (e) {
        return e as { message: string; extensions: Record<string, unknown> };
      }
      return null;
    })();
    expect(error?.extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'input.playlistUrls[2]' });
    expect(error?.message).toContain('"https://example.com/nope"');
  });
});
