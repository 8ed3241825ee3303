import 'reflect-metadata';
import { Directive, Field, ID, ObjectType } from 'type-graphql';
import type { ObjectId } from 'mongodb';
import { CachePublic, ConnectionType } from '@stagelives/schema';
import { isHidden, type Moderated } from '../content/visibility.js';

/** A comment as stored in the `comments` collection. */
export interface CommentDocument extends Moderated {
  _id: ObjectId;
  articleId: ObjectId;
  authorId: ObjectId;
  /** Sanitised HTML, like article bodies. */
  body: string;
  createdAt: Date;
  updatedAt: Date;
}

@ObjectType('Comment', { description: 'A reply to an article.' })
@Directive('@key(fields: "id")')
@CachePublic()
export class Comment {
  @Field(() => ID)
  id!: string;

  @Field(() => String, { description: 'Sanitised HTML (same allow-list as Article.body).' })
  body!: string;

  @Field(() => Date)
  createdAt!: Date;

  @Field(() => Date)
  updatedAt!: Date;

  @Field(() => Boolean, { description: 'Hidden by staff: only its author sees it.' })
  hidden!: boolean;

  authorId!: string;
  articleId!: string;

  static from(doc: CommentDocument): Comment {
    return Object.assign(new Comment(), {
      id: doc._id.toHexString(),
      body: doc.body,
      createdAt: doc.createdAt,
      updatedAt: doc.updatedAt,
      hidden: isHidden(doc),
      authorId: doc.authorId.toHexString(),
      articleId: doc.articleId.toHexString(),
    });
  }
}

export const CommentConnection = ConnectionType('Comment', Comment);
export type CommentConnection = InstanceType<typeof CommentConnection>;
