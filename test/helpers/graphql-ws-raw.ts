// A raw graphql-transport-ws client over `ws` for tests that must see every frame: the messages
// per operation id as sent, the close code and reason, and an upgrade refused before the handshake.
import WebSocket from 'ws';

export interface WsMessage {
  type: string;
  id?: string;
  payload?: any;
}

export interface RawWs {
  ws: WebSocket;
  /** Every message received, in order, and their raw text. */
  messages: WsMessage[];
  texts: string[];
  /** Resolves with the close code and reason once the socket is closed. */
  closed: Promise<{ code: number; reason: string }>;
  /** Sends connection_init and waits for connection_ack. */
  init(payload?: Record<string, unknown>): Promise<void>;
  subscribe(id: string, query: string, variables?: Record<string, unknown>): void;
  complete(id: string): void;
  /** Resolves with the first message (received or coming) that matches, within `ms`. */
  waitFor(match: (m: WsMessage) => boolean, ms?: number): Promise<WsMessage>;
  /** The errors of an operation's first `error` message, or of its first `next` that has errors. */
  errorsOf(id: string, ms?: number): Promise<any[]>;
  /** An operation's first answer as `{ data, errors }`: its first `next` payload, or an `error` message's errors. */
  answerOf(id: string, ms?: number): Promise<{ data?: unknown; errors?: any[] }>;
}

export type Opened = { ok: true; client: RawWs } | { ok: false; status: number };

/** Opens ws://.../graphql with the graphql-transport-ws subprotocol; a refused upgrade gives its HTTP status. */
export function openWs(baseUrl: string, headers: Record<string, string> = {}): Promise<Opened> {
  const ws = new WebSocket(`${baseUrl.replace(/^http/, 'ws')}/graphql`, 'graphql-transport-ws', { headers });
  const messages: WsMessage[] = [];
  const texts: string[] = [];
  const waiters = new Set<() => void>();
  const closed = new Promise<{ code: number; reason: string }>((resolve) => {
    ws.on('close', (code, reason) => {
      resolve({ code, reason: reason.toString() });
      for (const w of waiters) w();
    });
  });
  ws.on('message', (data) => {
    const text = String(data);
    texts.push(text);
    messages.push(JSON.parse(text) as WsMessage);
    for (const w of waiters) w();
  });
  ws.on('error', () => undefined); // seen as the close or the refused upgrade
  const waitFor = (match: (m: WsMessage) => boolean, ms = 3000): Promise<WsMessage> => new Promise((resolve, reject) => {
    const check = (): void => {
      const m = messages.find(match);
      if (m !== undefined) {
        done();
        resolve(m);
      } else if (ws.readyState === ws.CLOSED) {
        done();
        reject(new Error(`socket closed before a matching message (got ${JSON.stringify(messages).slice(0, 500)})`));
      }
    };
    const timer = setTimeout(() => { done(); reject(new Error(`no matching message within ${ms} ms (got ${JSON.stringify(messages).slice(0, 500)})`)); }, ms);
    const done = (): void => { clearTimeout(timer); waiters.delete(check); };
    waiters.add(check);
    check();
  });
  const send = (m: WsMessage): void => ws.send(JSON.stringify(m));
  const client: RawWs = {
    ws, messages, texts, closed, waitFor,
    async init(payload = {}) {
      send({ type: 'connection_init', payload });
      await waitFor((m) => m.type === 'connection_ack');
    },
    subscribe: (id, query, variables = {}) => send({ id, type: 'subscribe', payload: { query, variables } }),
    complete: (id) => send({ id, type: 'complete' }),
    async errorsOf(id, ms) {
      const m = await waitFor((x) => x.id === id && (x.type === 'error' || (x.type === 'next' && x.payload?.errors !== undefined)), ms);
      return m.type === 'error' ? m.payload : m.payload.errors;
    },
    async answerOf(id, ms) {
      const m = await waitFor((x) => x.id === id && (x.type === 'error' || x.type === 'next'), ms);
      return m.type === 'error' ? { data: undefined, errors: m.payload } : { data: m.payload.data, errors: m.payload.errors };
    },
  };
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve({ ok: true, client }));
    ws.once('unexpected-response', (_req, res) => {
      resolve({ ok: false, status: res.statusCode ?? 0 });
      res.resume();
      ws.terminate();
    });
    ws.once('error', (e) => reject(e));
  });
}

/** openWs that must succeed. */
export async function connectWs(baseUrl: string, headers?: Record<string, string>): Promise<RawWs> {
  const r = await openWs(baseUrl, headers);
  if (!r.ok) throw new Error(`WebSocket upgrade refused with HTTP ${r.status}`);
  return r.client;
}
