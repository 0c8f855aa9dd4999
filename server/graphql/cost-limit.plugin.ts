// Apollo plugin: refuses an HTTP operation whose cost with its variables exceeds MAX_COST, after
// validation and before any resolver runs (graphql-ws calls checkCost itself).
import type { ApolloServerPlugin } from '@apollo/server';
import { GraphQLError } from 'graphql';
import { checkCost } from './operation-limits.js';

/** The plugin; a refusal answers HTTP 400 with code QUERY_TOO_COMPLEX. */
export function costLimitPlugin<T extends object>(): ApolloServerPlugin<T> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ schema, document, request }) {
          const refused = checkCost(schema, document, request.variables, request.operationName);
          if (refused !== null) throw new GraphQLError(refused.message, { extensions: { ...refused.extensions, http: { status: 400 } } });
        },
      };
    },
  };
}
