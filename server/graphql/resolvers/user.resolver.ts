// Account management for admins.
import { Arg, Authorized, Ctx, Int, Mutation, Query, Resolver } from 'type-graphql';
import { createUser, deleteUser, listUsers, updateUser } from '../../services/users.js';
import type { GraphQLContext } from '../context.js';
import { rethrow } from '../errors.js';
import { loopSlices } from '../loop-slices.js';
import { toUser } from '../mappers.js';
import { Role, User } from '../types/user.type.js';

@Resolver()
export class UserResolver {
  @Authorized('admin')
  @Query(() => [User])
  async users(@Ctx() { deps }: GraphQLContext): Promise<User[]> {
    return loopSlices.paced((await listUsers(deps.ds)).map(toUser));
  }

  @Authorized('admin')
  @Mutation(() => User)
  async createUser(@Arg('username') username: string, @Arg('password') password: string, @Arg('role', () => Role) role: Role, @Ctx() { deps }: GraphQLContext): Promise<User> {
    return toUser(await createUser(deps.ds, username, password, role).catch(rethrow));
  }

  @Authorized('admin')
  @Mutation(() => User, { description: 'Changes a role or password; a new password ends the user\'s sessions (on a self-change, all but this one). The last admin stays (CONFLICT).' })
  async updateUser(
    @Arg('id', () => Int) id: number,
    @Arg('password', () => String, { nullable: true }) password: string | null,
    @Arg('role', () => Role, { nullable: true }) role: Role | null,
    @Ctx() { deps, user }: GraphQLContext,
  ): Promise<User> {
    return toUser(await updateUser(deps.ds, id, { password, role }, user!).catch(rethrow));
  }

  @Authorized('admin')
  @Mutation(() => Boolean, { description: 'Deletes a user with their sessions and tokens; the last admin stays (CONFLICT).' })
  async deleteUser(@Arg('id', () => Int) id: number, @Ctx() { deps, user }: GraphQLContext): Promise<boolean> {
    return deleteUser(deps.ds, id, user!).catch(rethrow);
  }
}
