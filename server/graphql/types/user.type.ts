import { Field, Int, ObjectType, registerEnumType } from 'type-graphql';

export enum Role {
  admin = 'admin',
  uploader = 'uploader',
}
registerEnumType(Role, { name: 'Role' });

@ObjectType()
export class User {
  @Field(() => Int)
  id: number;

  @Field()
  username: string;

  @Field(() => Role)
  role: Role;

  @Field()
  createdAt: Date;
}

@ObjectType()
export class AuthPayload {
  @Field({ description: 'Bearer token for the Authorization header; shown once.' })
  token: string;

  @Field()
  expiresAt: Date;

  @Field(() => User)
  user: User;
}

@ObjectType()
export class ApiToken {
  @Field(() => Int)
  id: number;

  @Field()
  name: string;

  @Field()
  createdAt: Date;

  @Field(() => Date, { nullable: true })
  lastUsedAt: Date | null;

  @Field(() => Date, { nullable: true })
  revokedAt: Date | null;
}

@ObjectType()
export class NewApiToken {
  @Field({ description: 'The token value: shown only here, stored hashed.' })
  token: string;

  @Field(() => ApiToken)
  apiToken: ApiToken;
}
