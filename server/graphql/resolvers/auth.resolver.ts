// Signing in and out, the current user, and API tokens for integrations.
import { Arg, Authorized, Ctx, Int, Mutation, Query, Resolver } from 'type-graphql';
import { UserEntity } from '../../db/entities/user.entity.js';
import { createApiToken, listApiTokens, login, logout, revokeApiToken } from '../../services/auth.js';
import { changeOwnPassword } from '../../services/own-password.js';
import type { GraphQLContext } from '../context.js';
import { fail, rethrow } from '../errors.js';
import { toApiToken, toUser } from '../mappers.js';
import { ApiToken, AuthPayload, NewApiToken, User } from '../types/user.type.js';

@Resolver()
export class AuthResolver {
  @Mutation(() => AuthPayload, { description: 'Opens a session (7 days); failed attempts are rate-limited.' })
  async login(@Arg('username') username: string, @Arg('password') password: string, @Ctx() { deps, ip }: GraphQLContext): Promise<AuthPayload> {
    const s = await login(deps.ds, deps.limiter, username, password, ip).catch(rethrow);
    return { token: s.token, expiresAt: s.expiresAt, user: toUser(s.user) };
  }

  @Authorized()
  @Mutation(() => Boolean, { description: 'Ends the session whose token authorised this request.' })
  async logout(@Ctx() { deps, token, user }: GraphQLContext): Promise<boolean> {
    if (user?.via.kind !== 'session') fail('BAD_USER_INPUT', 'API tokens are revoked, not logged out');
    return logout(deps.ds, token as string);
  }

  @Authorized()
  @Mutation(() => Boolean, { description: "Changes the caller's own password; the current one must be given (wrong ones count as failed logins). Ends the caller's other sessions; API tokens stay." })
  async changePassword(@Arg('currentPassword') currentPassword: string, @Arg('newPassword') newPassword: string, @Ctx() { deps, user, ip }: GraphQLContext): Promise<boolean> {
    await changeOwnPassword(deps.ds, deps.limiter, user!, currentPassword, newPassword, ip).catch(rethrow);
    return true;
  }

  @Query(() => User, { nullable: true, description: 'The signed-in user, or null.' })
  async me(@Ctx() { deps, user }: GraphQLContext): Promise<User | null> {
    if (user === null) return null;
    const u = await deps.ds.getRepository(UserEntity).findOneBy({ id: user.id });
    return u === null ? null : toUser(u);
  }

  @Authorized()
  @Query(() => [ApiToken])
  async apiTokens(@Ctx() { deps, user }: GraphQLContext): Promise<ApiToken[]> {
    return (await listApiTokens(deps.ds, user!.id)).map(toApiToken);
  }

  @Authorized()
  @Mutation(() => NewApiToken, { description: 'Creates a token for integrations; its value is shown only in this reply.' })
  async createApiToken(@Arg('name') name: string, @Ctx() { deps, user }: GraphQLContext): Promise<NewApiToken> {
    const { token, row } = await createApiToken(deps.ds, user!.id, name).catch((e) => (e?.code === 'FORBIDDEN' ? fail('BAD_USER_INPUT', e.message) : rethrow(e)));
    return { token, apiToken: toApiToken(row) };
  }

  @Authorized()
  @Mutation(() => Boolean)
  async revokeApiToken(@Arg('id', () => Int) id: number, @Ctx() { deps, user }: GraphQLContext): Promise<boolean> {
    return revokeApiToken(deps.ds, user!, id).catch(rethrow);
  }
}
