import 'reflect-metadata';
import { Directive, Field, ID, ObjectType, registerEnumType } from 'type-graphql';
import type { ObjectId } from 'mongodb';
import { CachePublic, ListSize, ViewerDependent, ViewerDependence } from '@stagelives/schema';
import type { Locale } from '../mail/messages.js';

export enum Role {
  USER = 'USER',
  MODERATOR = 'MODERATOR',
  ADMIN = 'ADMIN',
}
registerEnumType(Role, {
  name: 'Role',
  description: 'What a user may do.',
  valuesConfig: {
    MODERATOR: { description: 'Staff: handles reports, hides content, suspends users and moderates rooms.' },
    ADMIN: { description: 'Staff who may also grant and revoke roles, and edit the catalogue.' },
  },
});

/** A suspension as stored on the account. */
export interface SuspensionDocument {
  reason: string;
  /** When it ends by itself; null: until a staff member lifts it. */
  until: Date | null;
  createdAt: Date;
  /** The staff member who suspended the account. */
  byId: string;
}

@ObjectType('Suspension', { description: 'Why and until when an account is suspended.' })
export class Suspension {
  @Field(() => String)
  reason!: string;

  @Field(() => Date, { nullable: true, description: 'When it ends; null while it lasts until lifted.' })
  until!: Date | null;

  @Field(() => Date)
  createdAt!: Date;

  static from(doc: SuspensionDocument): Suspension {
    return Object.assign(new Suspension(), { reason: doc.reason, until: doc.until, createdAt: doc.createdAt });
  }
}

/** The suspension in force at `now`, or null (none, or it has expired). */
export function activeSuspension(doc: Pick<UserDocument, 'suspension'>, now = new Date()): SuspensionDocument | null {
  const s = doc.suspension;
  if (!s) return null;
  return s.until === null || s.until.getTime() > now.getTime() ? s : null;
}

/** A single-use link's token as stored: only its hash (sha256), and when it stops working. */
export interface EmailTokenDocument {
  tokenHash: string;
  expiresAt: Date;
}

/** A user as stored in the `users` collection. */
export interface UserDocument {
  _id: ObjectId;
  email: string | null;
  /** Lower-cased email: the unique key (FerretDB has no collation). */
  emailLower?: string;
  nickname: string;
  nicknameLower: string;
  passwordHash: string | null;
  avatarUrl: string | null;
  roles: Role[];
  createdAt: Date;
  updatedAt: Date;
  /** Subject of a linked Google account. */
  googleSub?: string;
  /** Subject of a linked Apple account. */
  appleSub?: string;
  /** Set when the account was deleted: the document stays as a tombstone for authorship. */
  deletedAt?: Date;
  /** Set while staff suspend the account (an expired one may stay: `activeSuspension`). */
  suspension?: SuspensionDocument | null;
  /** The language of the account's mail (from `Accept-Language` at sign-up); absent: English. */
  locale?: Locale;
  /** True once the address is verified (a verification link, a reset link, or a provider that asserted it). */
  emailVerified?: boolean;
  /** The pending password-reset link (a new request replaces it; using it removes it). */
  passwordReset?: EmailTokenDocument;
  /** The pending verification link (a resend replaces it; using it removes it). */
  emailVerification?: EmailTokenDocument;
}

/** What others see of an account that was deleted. */
const DELETED_USER_NICKNAME = 'deleted user';

@ObjectType('User', { description: 'A member of the community.' })
@Directive('@key(fields: "id")')
@CachePublic()
export class User {
  @Field(() => ID)
  id!: string;

  @Field(() => String, { nullable: true, description: 'Visible only to the user themself and to admins.' })
  @ViewerDependent(ViewerDependence.OWNER)
  email!: string | null;

  @Field(() => String)
  nickname!: string;

  @Field(() => String, { nullable: true })
  avatarUrl!: string | null;

  @ListSize(Object.keys(Role).length)
  @Field(() => [Role])
  roles!: Role[];

  @Field(() => Date)
  createdAt!: Date;

  @Field(() => Boolean, { description: 'True for an account that was deleted; it keeps only its id.' })
  deleted!: boolean;

  @Field(() => Suspension, {
    nullable: true,
    description: 'The suspension in force; null when there is none or it has expired. Visible only to the user themself and to staff.',
  })
  @ViewerDependent(ViewerDependence.OWNER)
  suspension!: Suspension | null;

  @Field(() => Boolean, {
    nullable: true,
    description: 'Whether the email address is verified. Visible only to the user themself (and to admins, and to whoever just used its verification link).',
  })
  @ViewerDependent(ViewerDependence.OWNER)
  emailVerified!: boolean | null;

  /** Not a field: set on the account a verification link has just verified, whose answer its holder reads. */
  verifiedByLink?: boolean;

  static from(doc: UserDocument): User {
    if (doc.deletedAt) {
      return Object.assign(new User(), {
        id: doc._id.toHexString(),
        email: null,
        nickname: DELETED_USER_NICKNAME,
        avatarUrl: null,
        roles: [],
        createdAt: doc.createdAt,
        deleted: true,
        suspension: null,
        emailVerified: false,
      });
    }
    return Object.assign(new User(), {
      deleted: false,
      id: doc._id.toHexString(),
      email: doc.email,
      nickname: doc.nickname,
      avatarUrl: doc.avatarUrl,
      roles: doc.roles,
      createdAt: doc.createdAt,
      suspension: activeSuspension(doc) ? Suspension.from(doc.suspension!) : null,
      emailVerified: doc.emailVerified === true,
    });
  }
}
