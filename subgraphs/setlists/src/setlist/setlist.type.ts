import 'reflect-metadata';
import { Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import type { ObjectId } from 'mongodb';
import { CachePublic, ListSize } from '@stagelives/schema';
import type { PlaylistProviderName } from './playlist-url.js';
import { SETLIST_LIMITS } from './setlist.limits.js';

export enum PlaylistProvider {
  YOUTUBE_MUSIC = 'YOUTUBE_MUSIC',
  SPOTIFY = 'SPOTIFY',
}
registerEnumType(PlaylistProvider, { name: 'PlaylistProvider' });

export interface SongDocument {
  order: number;
  title: string;
  artist: string | null;
}

export interface PlaylistDocument {
  provider: PlaylistProviderName;
  url: string;
  externalId: string;
}

/** One setlist per concert (unique `concertId`), in the `setlists` database. */
export interface SetlistDocument {
  _id: ObjectId;
  concertId: ObjectId;
  songs: SongDocument[];
  playlists: PlaylistDocument[];
  createdAt: Date;
  updatedAt: Date;
}

@ObjectType('Song')
@CachePublic()
export class Song {
  @Field(() => Int, { description: 'Position in the setlist, from 1.' })
  order!: number;

  @Field(() => String)
  title!: string;

  @Field(() => String, { nullable: true, description: 'When it is not the concert’s artist (covers, guests).' })
  artist!: string | null;
}

@ObjectType('Playlist', { description: 'A playlist of the setlist on a streaming service.' })
@CachePublic()
export class Playlist {
  @Field(() => PlaylistProvider)
  provider!: PlaylistProvider;

  @Field(() => String, { description: 'Canonical URL, without tracking parameters.' })
  url!: string;

  @Field(() => String, { description: 'The provider’s playlist id.' })
  externalId!: string;
}

@ObjectType('Setlist', { description: 'The songs of a concert and its playlists.' })
@CachePublic()
export class Setlist {
  @Field(() => ID)
  id!: string;

  @Field(() => ID)
  concertId!: string;

  @ListSize(SETLIST_LIMITS.songs)
  @Field(() => [Song])
  songs!: Song[];

  @ListSize(SETLIST_LIMITS.playlists)
  @Field(() => [Playlist])
  playlists!: Playlist[];

  @Field(() => Date)
  createdAt!: Date;

  @Field(() => Date)
  updatedAt!: Date;

  static from(doc: SetlistDocument): Setlist {
    return Object.assign(new Setlist(), {
      id: doc._id.toHexString(),
      concertId: doc.concertId.toHexString(),
      songs: doc.songs.map((s) => Object.assign(new Song(), s)),
      playlists: doc.playlists.map((p) => Object.assign(new Playlist(), p)),
      createdAt: doc.createdAt,
      updatedAt: doc.updatedAt,
    });
  }
}
