// WebSocket side of the abuse benchmark: a bare graphql-ws (graphql-transport-ws) socket, so an
// attack controls every message it sends and sees every refusal (HTTP status at upgrade, close
// code, `error` message) instead of a client library retrying or hiding them.
import WebSocket from 'ws';

/**
 * Opens a socket to `${wsUrl}` and sends connection_init. Resolves { ws, acked, closed } once the
 * server acked, refused or closed, or after `timeoutMs`: acked true/false, refused the reason
 * ("HTTP 429", "close 4429 ...", "timeout", an errno code). `closed` resolves with
 * { code, reason } when the socket ends. Never rejects.
 */
export function openSocket(wsUrl, { authorization, timeoutMs = 60_000, maxPayload = 64 * 1024 * 1024 } = {}) {
  return new Promise((resolve) => {
    const ws = new WebSocket(wsUrl, 'graphql-transport-ws', { maxPayload, handshakeTimeout: timeoutMs });
    let settled = false;
    let resolveClosed;
    const closed = new Promise((r) => { resolveClosed = r; });
    const settle = (acked, refused) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ ws, acked, refused, closed });
    };
    const timer = setTimeout(() => { settle(false, 'timeout'); ws.terminate(); }, timeoutMs);
    ws.on('unexpected-response', (_req, res) => { settle(false, `HTTP ${res.statusCode}`); res.resume(); ws.terminate(); });
    ws.on('error', (e) => settle(false, e.code ?? e.message));
    ws.on('open', () => ws.send(JSON.stringify({ type: 'connection_init', payload: authorization ? { authorization } : {} })));
    ws.on('message', (data) => {
      if (settled) return;
      const m = safeParse(data);
      if (m?.type === 'connection_ack') settle(true, null);
    });
    ws.on('close', (code, reason) => {
      settle(false, closeWords({ code, reason: reason.toString() }));
      resolveClosed({ code, reason: reason.toString() });
    });
  });
}

/** A close in a few words; 1006 means the socket was cut without a close frame (terminated). */
export const closeWords = (c) => (c.code === 1006 ? 'socket dropped (1006, no close frame)' : `socket closed ${c.code}${c.reason ? ` ${c.reason.slice(0, 40)}` : ''}`);

/** JSON.parse that answers null for anything unparseable. */
export function safeParse(data) {
  try {
    return JSON.parse(data.toString());
  } catch {
    return null;
  }
}

/** A subscribe message (graphql-ws carries queries and mutations the same way). */
export const subscribeMessage = (id, query, variables) => JSON.stringify({ id: String(id), type: 'subscribe', payload: variables ? { query, variables } : { query } });

/**
 * Sends one operation on an acked socket and resolves with how it ended: { kind: 'next' | 'error'
 * | 'closed' | 'timeout', ms, bytes, errors, close }. `next` with errors in its payload counts as
 * 'error'.
 */
export function operate(sock, id, query, variables, timeoutMs = 60_000) {
  const t0 = performance.now();
  return new Promise((resolve) => {
    let done = false;
    const finish = (kind, extra = {}) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      sock.ws.off('message', onMessage);
      resolve({ kind, ms: performance.now() - t0, ...extra });
    };
    const onMessage = (data) => {
      const m = safeParse(data);
      if (m?.id !== String(id)) return;
      if (m.type === 'error') finish('error', { errors: Array.isArray(m.payload) ? m.payload : [m.payload], bytes: data.length, via: 'error' });
      else if (m.type === 'next') finish(m.payload?.errors ? 'error' : 'next', { errors: m.payload?.errors, bytes: data.length, via: 'next' });
      else if (m.type === 'complete') finish('next', { bytes: 0 });
    };
    const timer = setTimeout(() => finish('timeout'), timeoutMs);
    sock.ws.on('message', onMessage);
    sock.closed.then((c) => finish('closed', { close: c }));
    sock.ws.send(subscribeMessage(id, query, variables));
  });
}

/** An operation's ending in a few words, like http-client's describe. */
export function describeWs(r, timeoutMs = 60_000) {
  const message = String(r.errors?.[0]?.message ?? '').slice(0, 160);
  if (r.kind === 'timeout') return { answer: `timed out (${Math.round(timeoutMs / 1000)} s)`, message };
  if (r.kind === 'closed') return { answer: closeWords(r.close), message };
  if (r.kind === 'error') {
    const codes = [...new Set((r.errors ?? []).map((e) => e?.extensions?.code ?? 'no code'))];
    return { answer: `refused ${codes.join('/')} (ws ${r.via} message)`, message };
  }
  return { answer: `next, ${r.bytes} B`, message };
}
