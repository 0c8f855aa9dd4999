// type-graphql @Authorized: no roles = any signed-in user; roles = one of them.
import { GraphQLError } from 'graphql';
import type { AuthCheckerInterface, ResolverData } from 'type-graphql';
import type { GraphQLContext } from './context.js';

export class AuthChecker implements AuthCheckerInterface<GraphQLContext> {
  check({ context }: ResolverData<GraphQLContext>, roles: string[]): boolean {
    if (context.user === null) throw new GraphQLError('sign in first (Authorization: Bearer <token>)', { extensions: { code: 'UNAUTHENTICATED' } });
    if (roles.length > 0 && !roles.includes(context.user.role)) throw new GraphQLError('not allowed for your role', { extensions: { code: 'FORBIDDEN' } });
    return true;
  }
}
