// The HTTP port, listened on with the native accept loop where its addon is built and chosen
// (HTTP_ACCEPT=native), otherwise with Node's own accept. Either way the same server answers. A
// cluster's workers each listen on the port with SO_REUSEPORT (the kernel spreads connections over
// them, instead of the primary accepting every one and passing it on) and tell the primary so
// (LISTENING_MESSAGE); on port 0 they share the primary's port through Node's cluster instead.
import cluster from 'node:cluster';
import type http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ConnectionLimit } from './connection-limit.js';
import { acceptAddon, acceptAddonError, listenNative, type NativeFront } from './native-front.js';
import type { TrackerRouteDeps } from './tracker-answers.js';
import type { FastPath } from './tracker-fast-path.js';

export interface HttpListener {
  port: number;
  /** 'native': the addon's accept loop; 'node': Node's. */
  io: 'native' | 'node';
  /** Why the native loop is not used (undefined when it is, or was not asked for). */
  why?: string;
  /** The native loop, when it is used (its counts). */
  front?: NativeFront;
  /** Stops accepting; resolves once every connection has closed. */
  close(): Promise<void>;
  /** Ends every connection still open (the shutdown's deadline). */
  closeAll(): void;
}

/** What a worker listening on its own socket sends the primary (cluster.ts waits for it or for Node's 'listening'). */
export const LISTENING_MESSAGE = 'seedhost:listening';

export interface ListenOptions {
  port: number;
  host: string | undefined;
  accept: 'native' | 'node';
  deps: TrackerRouteDeps;
  fastPath: FastPath;
  limit: ConnectionLimit | undefined;
}

export async function listenHttp(server: http.Server, o: ListenOptions): Promise<HttpListener> {
  const ownSocket = !cluster.isWorker || o.port !== 0;
  const native = o.accept === 'native' && ownSocket ? acceptAddon() : null;
  const front = native === null ? undefined : await listenNative(native, server, o.fastPath, o.deps, o.limit, o.port, o.host, { reusePort: cluster.isWorker });
  if (front === undefined) {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(o.port, o.host, () => {
        server.removeListener('error', reject);
        resolve();
      });
    });
  } else if (cluster.isWorker) {
    process.send?.({ type: LISTENING_MESSAGE, port: front.port });
  }
  return {
    port: front?.port ?? (server.address() as AddressInfo).port,
    io: front === undefined ? 'node' : 'native',
    why: front !== undefined || o.accept === 'node' ? undefined : !ownSocket ? 'a cluster worker on port 0 (the port is the primary\'s)' : acceptAddonError(),
    front,
    close: () => {
      // Node's side: its connection tracking stops, its idle connections end (with no listening
      // handle of its own under the native loop, its callback comes at once: the loop's close waits)
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      o.fastPath.closeIdle();
      return front === undefined ? closed : front.close();
    },
    closeAll: () => {
      server.closeAllConnections();
      o.fastPath.closeAll();
      front?.closeAll();
    },
  };
}
