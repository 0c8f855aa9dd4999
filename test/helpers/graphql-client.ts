// A small GraphQL client for e2e tests: JSON requests and GraphQL multipart uploads over real
// HTTP (fetch), subscriptions over a real WebSocket (graphql-ws + ws). Every error the server
// answers with is kept in `seenErrors`, so a suite can check none of them leaks internals.
import { existsSync, readdirSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { makeTorrent } from './make-torrent.js';
import type { TestServer } from './test-server.js';

export interface GqlError {
  message: string;
  path?: (string | number)[];
  extensions?: Record<string, unknown>;
}

export interface GqlReply<T = Record<string, any>> {
  status: number;
  data: T | null | undefined;
  errors: GqlError[] | undefined;
}

/** Every error answered so far (message and extensions), for leak checks. */
export const seenErrors: GqlError[] = [];

async function reply(res: Response): Promise<GqlReply> {
  const text = await res.text();
  let body: { data?: unknown; errors?: GqlError[] };
  try {
    body = JSON.parse(text);
  } catch {
    throw new Error(`HTTP ${res.status}, not JSON: ${text.slice(0, 200)}`);
  }
  if (body.errors) seenErrors.push(...body.errors);
  return { status: res.status, data: body.data as Record<string, any> | null | undefined, errors: body.errors };
}

/** POSTs one operation as JSON; `token` goes into `Authorization: Bearer`. */
export async function gql(baseUrl: string, query: string, variables: Record<string, unknown> = {}, token?: string): Promise<GqlReply> {
  const headers: Record<string, string> = { 'Content-Type': 'application/json' };
  if (token !== undefined) headers.Authorization = `Bearer ${token}`;
  return reply(await fetch(`${baseUrl}/graphql`, { method: 'POST', headers, body: JSON.stringify({ query, variables }) }));
}

export interface UploadPart {
  /** Where the Upload goes, e.g. `variables.files.0` or `variables.file`. */
  at: string;
  /** The part's filename (may carry a relative path, `docs/a.txt`). */
  filename: string;
  data: Buffer;
}

/** A GraphQL multipart request body: operations (nulls where files go), map, then the files in order. */
export function multipartBody(query: string, variables: Record<string, unknown>, parts: UploadPart[]): FormData {
  const form = new FormData();
  form.append('operations', JSON.stringify({ query, variables }));
  form.append('map', JSON.stringify(Object.fromEntries(parts.map((p, i) => [String(i), [p.at]]))));
  parts.forEach((p, i) => form.append(String(i), new Blob([p.data]), p.filename));
  return form;
}

/** The encoded body and Content-Type of a multipart request. */
export async function encodeMultipart(form: FormData): Promise<{ body: Buffer; contentType: string }> {
  const r = new Response(form);
  return { body: Buffer.from(await r.arrayBuffer()), contentType: r.headers.get('content-type') as string };
}

/**
 * Sends a multipart upload over a fresh connection; `preflight: false` leaves out the CSRF header
 * Apollo requires. (http.request rather than fetch: the server may answer a refused upload and
 * close before the whole body is sent, and the answer must still be read.)
 */
export async function upload(baseUrl: string, query: string, variables: Record<string, unknown>, parts: UploadPart[], opts: { token?: string; preflight?: boolean } = {}): Promise<GqlReply> {
  const { body, contentType } = await encodeMultipart(multipartBody(query, variables, parts));
  const headers: Record<string, string> = { 'Content-Type': contentType, 'Content-Length': String(body.length) };
  if (opts.preflight !== false) headers['apollo-require-preflight'] = 'true';
  if (opts.token !== undefined) headers.Authorization = `Bearer ${opts.token}`;
  const { status, text } = await new Promise<{ status: number; text: string }>((resolve, reject) => {
    let answered = false;
    const req = http.request(`${baseUrl}/graphql`, { method: 'POST', headers, agent: false, timeout: 20_000 }, (res) => {
      answered = true;
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString() }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('upload timed out')));
    req.on('error', (e) => { if (!answered) reject(e); });
    req.end(body);
  });
  return reply(new Response(text, { status }));
}

/** `files` variable parts for uploadTorrent: [filename, data] in order. */
export const fileParts = (files: [string, Buffer][]): UploadPart[] => files.map(([filename, data], i) => ({ at: `variables.files.${i}`, filename, data }));

/** The `extensions.code` of the first error, or null. */
export const codeOf = (r: GqlReply): string | null => (r.errors?.[0]?.extensions?.code as string | undefined) ?? null;

/** Asserts success and returns data. */
export function ok<T = Record<string, any>>(r: GqlReply): T {
  if (r.errors !== undefined || r.data == null) throw new Error(`GraphQL failed (HTTP ${r.status}): ${JSON.stringify(r.errors)}`);
  return r.data as T;
}

const LOGIN = 'mutation($u: String!, $p: String!) { login(username: $u, password: $p) { token expiresAt user { id username role } } }';

/** Logs in and returns the session token. */
export async function login(baseUrl: string, username: string, password: string): Promise<string> {
  return ok<{ login: { token: string } }>(await gql(baseUrl, LOGIN, { u: username, p: password })).login.token;
}

export interface Subscription<T> {
  events: T[];
  /** Date.now() when each event arrived. */
  times: number[];
  /** Resolves with the first event (already received or coming) that matches, within `ms`. */
  waitFor(match: (e: T) => boolean, ms?: number): Promise<T>;
  close(): void;
}

export interface WsClient {
  client: Client;
  subscribe<T = Record<string, any>>(query: string, variables?: Record<string, unknown>): Subscription<T>;
  close(): Promise<void>;
}

/** Opens a graphql-ws connection to `ws://host:port/graphql` (connected before it resolves). */
export async function wsClient(baseUrl: string, authorization?: string): Promise<WsClient> {
  const client = createClient({
    url: `${baseUrl.replace(/^http/, 'ws')}/graphql`, webSocketImpl: WebSocket, retryAttempts: 0, lazy: false,
    connectionParams: authorization === undefined ? {} : { authorization },
  });
  await new Promise<void>((resolve, reject) => {
    const settle = (e?: unknown): void => {
      off.forEach((f) => f());
      if (e === undefined) resolve();
      else reject(e instanceof Error ? e : new Error(`WebSocket connection failed: ${JSON.stringify(e)}`));
    };
    const off = [client.on('connected', () => settle()), client.on('error', (e) => settle(e ?? 'error')), client.on('closed', (e) => settle(e ?? 'closed'))];
  });
  return {
    client,
    subscribe<T>(query: string, variables: Record<string, unknown> = {}): Subscription<T> {
      const events: T[] = [];
      const times: number[] = [];
      let failure: Error | null = null;
      const waiters = new Set<() => void>();
      const wake = (): void => { for (const w of waiters) w(); };
      const stop = client.subscribe<T>({ query, variables }, {
        next: (v) => {
          if (v.errors) failure = new Error(`subscription error: ${JSON.stringify(v.errors)}`);
          else {
            times.push(Date.now());
            events.push(Object.values(v.data as Record<string, T>)[0]);
          }
          wake();
        },
        error: (e) => {
          failure = new Error(`subscription failed: ${e instanceof Error ? e.message : JSON.stringify(e)}`);
          wake();
        },
        complete: () => undefined,
      });
      return {
        events,
        times,
        waitFor(match, ms = 3000) {
          return new Promise((resolve, reject) => {
            const done = (): void => { clearTimeout(timer); waiters.delete(check); };
            const check = (): void => {
              const i = events.findIndex(match);
              if (i >= 0) {
                done();
                resolve(events[i]);
              } else if (failure !== null) {
                done();
                reject(failure);
              }
            };
            const timer = setTimeout(() => { waiters.delete(check); reject(new Error(`no matching event within ${ms} ms (got ${JSON.stringify(events)})`)); }, ms);
            waiters.add(check);
            check();
          });
        },
        close: stop,
      };
    },
    close: () => client.dispose() as Promise<void>,
  };
}

/** Repeats `trigger` until `sub` has an event (the subscription is live), then clears its events. */
export async function primed<T>(sub: Subscription<T>, trigger: (attempt: number) => Promise<unknown>, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  for (let i = 0; sub.events.length === 0; i++) {
    if (Date.now() > end) throw new Error('subscription never became live');
    await trigger(i);
    await sub.waitFor(() => true, 300).catch((e: Error) => { if (!e.message.startsWith('no matching event')) throw e; });
  }
  sub.events.length = 0;
  sub.times.length = 0;
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export const ADMIN = { username: 'admin', password: 'admin-password-1' };
/** Server settings that create the admin above at start. */
export const ADMIN_ENV = { ADMIN_USERNAME: ADMIN.username, ADMIN_PASSWORD: ADMIN.password };

export interface Accounts {
  admin: string;
  /** Uploader sessions. */
  alice: string;
  bob: string;
  ids: { admin: number; alice: number; bob: number };
}

const CREATE_USER = 'mutation($u: String!, $p: String!, $r: Role!) { createUser(username: $u, password: $p, role: $r) { id } }';
const ME = '{ me { id } }';

/** Logs the admin in and creates the uploaders alice and bob (password `<name>-password`), signed in. */
export async function setUpAccounts(baseUrl: string): Promise<Accounts> {
  const admin = await login(baseUrl, ADMIN.username, ADMIN.password);
  const make = async (u: string): Promise<number> => ok<{ createUser: { id: number } }>(await gql(baseUrl, CREATE_USER, { u, p: `${u}-password`, r: 'uploader' }, admin)).createUser.id;
  const [aliceId, bobId] = [await make('alice'), await make('bob')];
  const [alice, bob] = await Promise.all([login(baseUrl, 'alice', 'alice-password'), login(baseUrl, 'bob', 'bob-password')]);
  const adminId = ok<{ me: { id: number } }>(await gql(baseUrl, ME, {}, admin)).me.id;
  return { admin, alice, bob, ids: { admin: adminId, alice: aliceId, bob: bobId } };
}

const REGISTER = 'mutation($file: Upload!) { registerTorrent(file: $file) { infoHash } }';

/** Registers a fresh (or the given) .torrent through GraphQL as `token`; returns the info_hash. */
export async function registerAs(baseUrl: string, token: string, made = makeTorrent()): Promise<string> {
  const r = await upload(baseUrl, REGISTER, { file: null }, [{ at: 'variables.file', filename: 'x.torrent', data: made.file }], { token });
  return ok<{ registerTorrent: { infoHash: string } }>(r).registerTorrent.infoHash;
}

/** What a refused request must not change: torrent rows, content folders, staging leftovers. */
export async function storedState(t: TestServer): Promise<{ rows: number; content: string[]; staging: string[] }> {
  const list = (d: string): string[] => (existsSync(path.join(t.dataDir, d)) ? readdirSync(path.join(t.dataDir, d)).sort() : []);
  const [{ n }] = await t.server.ds.query('SELECT COUNT(*) AS n FROM torrents');
  return { rows: Number(n), content: list('content'), staging: list('tmp') };
}

/**
 * Starts a multipart upload over a raw connection, sends only its first `sendBytes` bytes, waits
 * until the server has begun staging it, then cuts the connection.
 */
export async function cutUpload(t: TestServer, query: string, variables: Record<string, unknown>, parts: UploadPart[], sendBytes: number, token: string): Promise<void> {
  const { body, contentType } = await encodeMultipart(multipartBody(query, variables, parts));
  const req = http.request(`${t.baseUrl}/graphql`, {
    method: 'POST', agent: false,
    headers: { 'Content-Type': contentType, 'Content-Length': String(body.length), 'apollo-require-preflight': 'true', Authorization: `Bearer ${token}` },
  });
  req.on('error', () => undefined); // we cut it ourselves
  req.write(body.subarray(0, sendBytes));
  const staging = path.join(t.dataDir, 'tmp');
  const end = Date.now() + 3000;
  while (!(existsSync(staging) && readdirSync(staging).length > 0)) {
    if (Date.now() > end) throw new Error('the server never started staging the upload');
    await sleep(10);
  }
  await sleep(50);
  req.destroy();
}

/**
 * Collects unhandled promise rejections while `fn` runs (and `settle` ms after) instead of letting
 * them end the process (or fail the file under node:test); a server must cause none.
 */
export async function unhandledRejectionsDuring(fn: () => Promise<void>, settle = 300): Promise<unknown[]> {
  const seen: unknown[] = [];
  const others = process.listeners('unhandledRejection');
  const onRejection = (e: unknown): void => { seen.push(e); };
  process.removeAllListeners('unhandledRejection');
  process.on('unhandledRejection', onRejection);
  try {
    await fn();
    await sleep(settle);
  } finally {
    process.off('unhandledRejection', onRejection);
    for (const l of others) process.on('unhandledRejection', l);
  }
  return seen;
}
