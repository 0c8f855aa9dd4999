// HTTP side of the abuse benchmark: one request with a bounded wait, its answer summarised in a
// few words ("refused GRAPHQL_VALIDATION_FAILED", "200, 21.8 MB", "timed out", "reset ECONNRESET").
import http from 'node:http';

/** Decimal size of a byte count: "812 B", "31 kB", "21.8 MB". */
export const size = (n) => (n < 1e3 ? `${n} B` : n < 1e6 ? `${Math.round(n / 1e3)} kB` : `${(n / 1e6).toFixed(1)} MB`);

/** Milliseconds as a short figure: "840 ms", "6.1 s". */
export const ms = (t) => (t < 1000 ? `${Math.round(t)} ms` : `${(t / 1000).toFixed(1)} s`);

/**
 * Sends one request (fresh connection) and reads the whole answer, giving up after `timeoutMs`.
 * Resolves { status, bytes, ms, text, error } where error is 'timeout', an errno code (the server
 * reset the connection) or null. Never rejects.
 */
export function request(url, { method = 'POST', headers = {}, body, timeoutMs = 60_000 } = {}) {
  const t0 = performance.now();
  return new Promise((resolve) => {
    let settled = false, status = 0, bytes = 0;
    const chunks = [];
    const done = (error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      const text = Buffer.concat(chunks).toString('utf8');
      resolve({ status, bytes, ms: performance.now() - t0, text, error });
    };
    const req = http.request(url, { method, headers, agent: false }, (res) => {
      status = res.statusCode ?? 0;
      res.on('data', (c) => { bytes += c.length; chunks.push(c); });
      res.on('end', () => done(null));
      res.on('error', (e) => done(e.code ?? e.message));
      res.on('aborted', () => done('ECONNRESET'));
    });
    const timer = setTimeout(() => { done('timeout'); req.destroy(); }, timeoutMs);
    // a body the server refuses early may be cut off mid-write: an answer read before that counts
    req.on('error', (e) => done(e.code ?? e.message));
    req.end(body);
  });
}

/** POSTs a JSON GraphQL operation; `token` goes into Authorization. */
export function postGraphql(base, payload, { token, timeoutMs, extraHeaders = {} } = {}) {
  const body = Buffer.from(typeof payload === 'string' ? payload : JSON.stringify(payload));
  const headers = { 'Content-Type': 'application/json', 'Content-Length': String(body.length), ...extraHeaders };
  if (token) headers.Authorization = `Bearer ${token}`;
  return request(`${base}/graphql`, { headers, body, timeoutMs });
}

/** The GraphQL errors of an answer (parsed only when it holds any), or []. */
export function errorsOf(r) {
  if (!r.text || !r.text.includes('"errors"')) return [];
  try {
    return JSON.parse(r.text).errors ?? [];
  } catch {
    return [];
  }
}

/** The parsed JSON body of an answer, or null. */
export function jsonOf(r) {
  try {
    return JSON.parse(r.text);
  } catch {
    return null;
  }
}

const codeOf = (e) => e?.extensions?.code ?? `"${String(e?.message ?? '?').slice(0, 60)}"`;

/** One answer in a few words, and the first error message (for the details list). */
export function describe(r, timeoutMs = 60_000) {
  if (r.error === 'timeout') return { answer: `timed out (${Math.round(timeoutMs / 1000)} s)`, message: '' };
  if (r.error) return { answer: `${r.status ? `${r.status}, then ` : ''}reset ${r.error}`, message: '' };
  const errs = errorsOf(r);
  if (errs.length === 0) return { answer: `${r.status}, ${size(r.bytes)}`, message: '' };
  const codes = [...new Set(errs.map(codeOf))];
  const json = jsonOf(r);
  const hasData = json?.data != null && Object.values(json.data).some((v) => v !== null);
  const what = `${codes.join('/')}${errs.length > 1 ? ` x${errs.length}` : ''}`;
  return {
    answer: hasData ? `${r.status}, ${size(r.bytes)}, partly refused ${what}` : `refused ${what}${r.status !== 200 ? ` (${r.status})` : ''}`,
    message: String(errs[0].message).slice(0, 160),
  };
}

/** Several answers of the same attack grouped: "38 x 200, 21.8 MB; 2 x timed out (60 s)". */
export function describeMany(rs, timeoutMs) {
  const groups = new Map();
  let message = '';
  for (const r of rs) {
    const d = describe(r, timeoutMs);
    // sizes of equal answers differ by a few bytes: group on the wording without the size
    const key = d.answer.replace(/, [\d.]+ [kM]?B/, '');
    const g = groups.get(key) ?? { n: 0, sample: d.answer };
    g.n++;
    groups.set(key, g);
    message ||= d.message;
  }
  return { answer: [...groups.values()].map((g) => `${g.n} x ${g.sample}`).join('; '), message };
}

/** Median and max of numbers. */
export function medianMax(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return { median: s.length ? s[Math.floor(s.length / 2)] : NaN, max: s.length ? s[s.length - 1] : NaN };
}

/**
 * A GraphQL multipart request body (operations, map, then the files in order), built by hand:
 * 10,000 parts take milliseconds. files: [{ at: 'variables.files.0', filename, data }].
 */
export function multipart(query, variables, files) {
  const boundary = `----abuse${Math.random().toString(16).slice(2)}`;
  const head = (name, filename) => `--${boundary}\r\nContent-Disposition: form-data; name="${name}"${filename !== undefined ? `; filename="${filename}"\r\nContent-Type: application/octet-stream` : ''}\r\n\r\n`;
  const parts = [
    head('operations') + JSON.stringify({ query, variables }) + '\r\n',
    head('map') + JSON.stringify(Object.fromEntries(files.map((f, i) => [String(i), [f.at]]))) + '\r\n',
  ].map((s) => Buffer.from(s));
  files.forEach((f, i) => parts.push(Buffer.from(head(String(i), f.filename)), f.data, Buffer.from('\r\n')));
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(parts), contentType: `multipart/form-data; boundary=${boundary}` };
}

/** Sends a multipart body built by `multipart` (with Apollo's CSRF preflight header). */
export function postMultipart(base, { body, contentType }, { token, timeoutMs } = {}) {
  const headers = { 'Content-Type': contentType, 'Content-Length': String(body.length), 'apollo-require-preflight': 'true' };
  if (token) headers.Authorization = `Bearer ${token}`;
  return request(`${base}/graphql`, { headers, body, timeoutMs });
}
