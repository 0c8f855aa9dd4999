// The parts of npm bittorrent-tracker (no types of its own) the WebSocket tracker tests use.
declare module 'bittorrent-tracker' {
  import { EventEmitter } from 'node:events';
  export interface ClientOptions {
    infoHash: string;
    peerId: string;
    announce: string | string[];
    port: number;
    wrtc?: unknown;
    getAnnounceOpts?: () => Record<string, unknown>;
  }
  export class Client extends EventEmitter {
    constructor(opts: ClientOptions);
    _trackers: unknown[];
    start(opts?: Record<string, unknown>): void;
    stop(opts?: Record<string, unknown>): void;
    complete(opts?: Record<string, unknown>): void;
    update(opts?: Record<string, unknown>): void;
    scrape(opts?: Record<string, unknown>): void;
    destroy(cb?: () => void): void;
    static scrape(opts: Record<string, unknown>, cb: (err: Error | null, data: Record<string, unknown>) => void): void;
  }
  export class Server extends EventEmitter {
    constructor(opts: Record<string, unknown>);
    listen(port: number, host: string, cb: () => void): void;
    close(cb?: () => void): void;
  }
  export default Client;
}
