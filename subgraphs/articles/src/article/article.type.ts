import 'reflect-metadata';
import { Directive, Field, ID, ObjectType } from 'type-graphql';
import type { ObjectId } from 'mongodb';
import { CachePublic, ConnectionType, ListSize } from '@stagelives/schema';
import { TAG_LIMITS } from '../content/sanitize.js';
import { isHidden, type Moderated } from '../content/visibility.js';

/** An article as stored in the `articles` collection. */
export interface ArticleDocument extends Moderated {
  _id: ObjectId;
  title: string;
  /** Sanitised HTML (see content/sanitize.ts). */
  body: string;
  /** Visible text of `body`: what search matches, never shown. */
  bodyText: string;
  tags: string[];
  concertId: ObjectId | null;
  authorId: ObjectId;
  createdAt: Date;
  updatedAt: Date;
  /** Set when a delete has started: the article is invisible from then on (see docs/articles.md). */
  deletedAt?: Date;
}

@ObjectType('Article', { description: 'A community post, optionally about a concert.' })
@Directive('@key(fields: "id")')
@CachePublic()
export class Article {
  @Field(() => ID)
  id!: string;

  @Field(() => String, { description: 'Plain text.' })
  title!: string;

  @Field(() => String, { description: 'Sanitised HTML: p, br, b, i, em, strong, u, s, ul, ol, li, blockquote, code, pre and a[href] (http, https, mailto).' })
  body!: string;

  @ListSize(TAG_LIMITS.maxTags)
  @Field(() => [String], { description: 'Lower-case, trimmed, unique; at most 10.' })
  tags!: string[];

  @Field(() => Date)
  createdAt!: Date;

  @Field(() => Date)
  updatedAt!: Date;

  @Field(() => Boolean, { description: 'Hidden by staff: only its author sees it (everyone else gets no such article).' })
  hidden!: boolean;

  authorId!: string;
  concertId!: string | null;

  static from(doc: ArticleDocument): Article {
    return Object.assign(new Article(), {
      id: doc._id.toHexString(),
      title: doc.title,
      body: doc.body,
      tags: doc.tags,
      createdAt: doc.createdAt,
      updatedAt: doc.updatedAt,
      hidden: isHidden(doc),
      authorId: doc.authorId.toHexString(),
      concertId: doc.concertId?.toHexString() ?? null,
    });
  }
}

export const ArticleConnection = ConnectionType('Article', Article);
export type ArticleConnection = InstanceType<typeof ArticleConnection>;
