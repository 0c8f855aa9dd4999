// Debian's transmission-daemon (3.00) for e2e tests: a private config dir, loopback only, no DHT,
// LPD, PEX or µTP (so peers come from the tracker alone), driven over its JSON RPC (the protocol
// transmission-remote speaks), on free ports.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Daemon } from './daemon.js';
import { freePort } from './wait.js';

/** The torrent-get fields the tests read. */
const FIELDS = ['hashString', 'name', 'status', 'error', 'errorString', 'percentDone', 'leftUntilDone', 'sizeWhenDone',
  'metadataPercentComplete', 'downloadDir', 'peersConnected', 'peers', 'webseedsSendingToUs', 'trackerStats', 'downloadedEver'];

export interface TransmissionTorrent {
  hashString: string;
  name: string;
  error: number;
  errorString: string;
  leftUntilDone: number;
  sizeWhenDone: number;
  metadataPercentComplete: number;
  downloadedEver: number;
  peers: { address: string; port: number; isIncoming: boolean }[];
  trackerStats: { announce: string; lastAnnounceResult: string; lastAnnounceSucceeded: boolean; lastAnnouncePeerCount: number }[];
}

export class Transmission {
  private sessionId = '';

  private constructor(readonly daemon: Daemon, readonly rpcUrl: string, readonly peerPort: number) {}

  /** Starts a daemon whose config lives in `dir`; resolves once its RPC answers. */
  static async start(dir: string): Promise<Transmission> {
    mkdirSync(dir, { recursive: true });
    const [rpcPort, peerPort] = [await freePort(), await freePort()];
    writeFileSync(path.join(dir, 'settings.json'), JSON.stringify({
      'dht-enabled': false, 'lpd-enabled': false, 'pex-enabled': false, 'utp-enabled': false, 'port-forwarding-enabled': false,
      'bind-address-ipv4': '127.0.0.1', 'bind-address-ipv6': '::1', 'peer-port': peerPort, 'peer-port-random-on-start': false,
      'rpc-bind-address': '127.0.0.1', 'rpc-port': rpcPort, 'rpc-authentication-required': false,
      'rpc-whitelist-enabled': true, 'rpc-whitelist': '127.0.0.1', 'rpc-host-whitelist-enabled': false,
      'download-dir': path.join(dir, 'downloads'), 'incomplete-dir-enabled': false, 'rename-partial-files': false,
      'start-added-torrents': true, 'watch-dir-enabled': false, 'message-level': 2,
    }));
    const daemon = new Daemon('transmission-daemon', 'transmission-daemon', ['-g', dir, '-f']);
    const tr = new Transmission(daemon, `http://127.0.0.1:${rpcPort}/transmission/rpc`, peerPort);
    await daemon.ready('its RPC', 15_000, () => tr.rpc('session-get'));
    return tr;
  }

  /** One RPC call; answers the CSRF handshake (409 with X-Transmission-Session-Id) on the way. */
  async rpc(method: string, args: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
    for (let attempt = 0; attempt < 2; attempt++) {
      const res = await fetch(this.rpcUrl, { method: 'POST', headers: { 'X-Transmission-Session-Id': this.sessionId }, body: JSON.stringify({ method, arguments: args }) });
      if (res.status === 409) {
        this.sessionId = res.headers.get('x-transmission-session-id') ?? '';
        continue;
      }
      const body = await res.json() as { result: string; arguments: Record<string, unknown> };
      if (body.result !== 'success') throw new Error(`transmission ${method}: ${body.result}`);
      return body.arguments;
    }
    throw new Error(`transmission ${method}: no session id`);
  }

  /** Adds a magnet link, a .torrent URL or a file path, saving into `downloadDir`; returns the info_hash. */
  async add(filename: string, downloadDir: string): Promise<string> {
    const r = await this.rpc('torrent-add', { filename, 'download-dir': downloadDir });
    const t = (r['torrent-added'] ?? r['torrent-duplicate']) as { hashString: string } | undefined;
    if (t === undefined) throw new Error(`transmission torrent-add: ${JSON.stringify(r)}`);
    return t.hashString;
  }

  async torrent(hash: string): Promise<TransmissionTorrent> {
    const r = await this.rpc('torrent-get', { ids: [hash], fields: FIELDS });
    return (r.torrents as TransmissionTorrent[])[0];
  }

  /** Polls until the torrent has its metadata and every wanted byte; throws with its state after `ms`. */
  async complete(hash: string, ms: number, diagnose: () => string = () => ''): Promise<TransmissionTorrent> {
    for (const end = Date.now() + ms; ;) {
      const t = await this.torrent(hash);
      if (t.metadataPercentComplete === 1 && t.sizeWhenDone > 0 && t.leftUntilDone === 0) return t;
      if (t.error !== 0 || this.daemon.closed || Date.now() > end) {
        throw new Error(`transmission did not complete ${hash} within ${ms} ms: ${JSON.stringify(t)}\n${this.daemon.output()}\n${diagnose()}`);
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  /** session-close: the daemon stops its torrents (announcing `stopped`), closes its files and exits. */
  async close(): Promise<number | null> {
    if (this.daemon.closed) return this.daemon.exited;
    await this.rpc('session-close').catch(() => this.daemon.child.kill('SIGTERM'));
    return this.daemon.exit(15_000);
  }
}
