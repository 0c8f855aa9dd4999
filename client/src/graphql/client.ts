// The one urql client: HTTP for queries and mutations with the session's Bearer token, graphql-ws
// for subscriptions (connectionParams.authorization).
import { Client, cacheExchange, fetchExchange, mapExchange, subscriptionExchange } from '@urql/core';
import { createClient as createWsClient } from 'graphql-ws';
import { clearSession, currentToken } from '../composables/useAuth';

const wsUrl = `${location.protocol === 'https:' ? 'wss:' : 'ws:'}//${location.host}/graphql`;

/** The WebSocket client (lazy: connects on the first subscription, reconnects on drops). */
export const wsClient = createWsClient({
  url: wsUrl,
  lazy: true,
  retryAttempts: Infinity,
  shouldRetry: () => true,
  retryWait: async (n) => new Promise((r) => setTimeout(r, Math.min(10_000, 500 * 2 ** n))),
  connectionParams: () => {
    const token = currentToken();
    return token ? { authorization: `Bearer ${token}` } : {};
  },
});

export const urqlClient = new Client({
  url: '/graphql',
  requestPolicy: 'cache-and-network',
  // POST only: Apollo's CSRF prevention refuses GET queries that carry no preflight header
  preferGetMethod: false,
  fetchOptions: () => {
    const token = currentToken();
    const headers: Record<string, string> = token ? { Authorization: `Bearer ${token}` } : {};
    return { headers };
  },
  exchanges: [
    // a token the server no longer accepts (expired, revoked): forget it, so pages offer sign-in
    mapExchange({
      onError(error) {
        if (currentToken() && error.graphQLErrors.some((e) => e.extensions?.code === 'UNAUTHENTICATED')) clearSession();
      },
    }),
    cacheExchange,
    fetchExchange,
    subscriptionExchange({
      forwardSubscription(request) {
        const input = { ...request, query: request.query ?? '' };
        return {
          subscribe(sink) {
            const unsubscribe = wsClient.subscribe(input, sink);
            return { unsubscribe };
          },
        };
      },
    }),
  ],
});
