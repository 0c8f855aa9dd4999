// The HTTP port, listened on with the native accept loop where its addon is built and chosen
// (HTTP_ACCEPT=native, not in a cluster's worker: those share the primary's port through Node's
// cluster), otherwise with Node's own accept. Either way the same server answers.
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

export interface ListenOptions {
  port: number;
  host: string | undefined;
  accept: 'native' | 'node';
  deps: TrackerRouteDeps;
  fastPath: FastPath;
  limit: ConnectionLimit | undefined;
}

export async function listenHttp(server: http.Server, o: ListenOptions): Promise<HttpListener> {
  const native = o.accept === 'native' && !cluster.isWorker ? acceptAddon() : null;
  if (native !== null) {
    const front = await listenNative(native, server, o.fastPath, o.deps, o.limit, o.port, o.host);
    return {
      port: front.port, io: 'native', front,
      close: async () => {
        server.close(); // Node's side: its connection tracking stops, its idle connections end
        server.closeIdleConnections();
        o.fastPath.closeIdle();
        await front.close();
      },
      closeAll: () => {
        server.closeAllConnections();
        o.fastPath.closeAll();
        front.closeAll();
      },
    };
  }
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host, () => {
      server.removeListener('error', reject);
      resolve();
    });
  });
  const why = o.accept === 'node' ? undefined : cluster.isWorker ? 'a cluster worker (the port is the primary\'s)' : acceptAddonError();
  return {
    port: (server.address() as AddressInfo).port, io: 'node', why,
    close: () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      o.fastPath.closeIdle();
      return closed;
    },
    closeAll: () => {
      server.closeAllConnections();
      o.fastPath.closeAll();
    },
  };
}
