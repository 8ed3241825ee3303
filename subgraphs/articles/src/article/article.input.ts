import 'reflect-metadata';
import { Field, ID, InputType } from 'type-graphql';

@InputType('CreateArticleInput')
export class CreateArticleInput {
  @Field(() => String, { description: 'Plain text, 1–200 characters; HTML is stripped.' })
  title!: string;

  @Field(() => String, { description: 'HTML, at most 20,000 characters; sanitised to an allow-list.' })
  body!: string;

  @Field(() => ID, { nullable: true })
  concertId?: string | null;

  @Field(() => [String], { nullable: true, description: 'At most 10; each 1–30 characters, lower-cased.' })
  tags?: string[] | null;
}

@InputType('UpdateArticleInput', { description: 'Absent fields stay unchanged; `concertId: null` detaches the concert.' })
export class UpdateArticleInput {
  @Field(() => String, { nullable: true })
  title?: string | null;

  @Field(() => String, { nullable: true })
  body?: string | null;

  @Field(() => ID, { nullable: true })
  concertId?: string | null;

  @Field(() => [String], { nullable: true })
  tags?: string[] | null;
}

@InputType('ArticleFilter')
export class ArticleFilter {
  @Field(() => ID, { nullable: true })
  concertId?: string | null;

  @Field(() => ID, { nullable: true })
  authorId?: string | null;

  @Field(() => String, { nullable: true, description: 'One tag, normalised like stored tags.' })
  tag?: string | null;

  @Field(() => String, { nullable: true, description: 'Words that must all occur in the title or body (case-insensitive).' })
  search?: string | null;
}
