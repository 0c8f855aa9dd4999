// The server's input limits, fetched once per page load and again when a refusal suggests they changed.
import { useQuery } from '@urql/vue';
import { computed } from 'vue';
import { urqlClient } from '../graphql/client';
import { LIMITS } from '../graphql/documents';
import type { ServerLimits } from '../lib/limits';

export function useLimits() {
  const q = useQuery<{ limits: ServerLimits }>({ query: LIMITS, requestPolicy: 'cache-first' });
  return {
    limits: computed(() => q.data.value?.limits ?? null),
    /** Asks the server again (after a refusal); null when it cannot be reached. */
    async refresh(): Promise<ServerLimits | null> {
      const r = await urqlClient.query<{ limits: ServerLimits }>(LIMITS, {}, { requestPolicy: 'network-only' }).toPromise();
      return r.data?.limits ?? null;
    },
  };
}
