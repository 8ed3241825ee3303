/**
 * How much a setlist may hold. Its own file: the service enforces it, and the type declares it to
 * the cost rule (`@ListSize`), without the type importing the service.
 */
export const SETLIST_LIMITS = { songs: 100, title: 200, artist: 100, playlists: 10 } as const;
