#!/usr/bin/env node
// After the server started: signs the admin in (ADMIN_USERNAME/ADMIN_PASSWORD), creates the
// uploader the login race aims at, and writes SETUP_JSON (what every attack needs).
//   node setup.mjs BASE_URL SETUP_JSON PROBE_HASH SWARM_HASH FILES_HASH FILES_COUNT
// env (set by abuse.sh, issue 13's attacks): PIPE_HASH (a small torrent for pipelined requests),
// WEBSEED_BIG / WEBSEED_VICTIM ("<hash> <name>" of the hosted files), SCRAPE_TORRENTS and
// SCRAPE_SPARES ("<dir> <first index> <count>" of the unregistered spare torrents), SEEDHOST_CLI,
// CLI_CWD, CLI_DATA_DIR (the command line that registers them).
import { writeFileSync } from 'node:fs';
import { jsonOf, postGraphql } from './http-client.mjs';

const [base, out, probeHash, swarmHash, filesHash, filesCount] = process.argv.slice(2);
const gql = async (query, variables, token) => {
  const r = await postGraphql(base, { query, variables }, { token, timeoutMs: 30_000 });
  const j = jsonOf(r);
  if (!j?.data || j.errors) throw new Error(`setup: ${query.slice(0, 40)}... failed: ${r.error ?? r.text.slice(0, 300)}`);
  return j.data;
};
const LOGIN = 'mutation($u: String!, $p: String!){login(username:$u, password:$p){token}}';
const adminToken = (await gql(LOGIN, { u: process.env.ADMIN_USERNAME, p: process.env.ADMIN_PASSWORD })).login.token;
const victim = { username: 'victim', password: 'victim-password-correct-1' };
await gql('mutation($u: String!, $p: String!){createUser(username:$u, password:$p, role: uploader){id}}', { u: victim.username, p: victim.password }, adminToken);
const hosted = (v) => ({ hash: v.split(' ')[0], name: v.split(' ').slice(1).join(' ') });
const [spareDir, firstSpare, spares] = (process.env.SCRAPE_SPARES ?? '').split(' ');
const setup = {
  adminToken, victim, probeHash, swarmHash, filesHash, filesCount: Number(filesCount), pipeHash: process.env.PIPE_HASH,
  webseed: { big: hosted(process.env.WEBSEED_BIG ?? ''), victim: hosted(process.env.WEBSEED_VICTIM ?? '') },
  scrape: {
    target: Number(process.env.SCRAPE_TORRENTS ?? 2000), spareDir, firstSpare: Number(firstSpare), spares: Number(spares),
    cli: { bin: process.env.SEEDHOST_CLI, cwd: process.env.CLI_CWD, dataDir: process.env.CLI_DATA_DIR },
  },
};
writeFileSync(out, JSON.stringify(setup, null, 1));
const { torrents } = await gql('{torrents(first:0){totalCount}}', {});
process.stdout.write(`setup: admin signed in, user '${victim.username}' created; ${torrents.totalCount} torrents registered\n`);
