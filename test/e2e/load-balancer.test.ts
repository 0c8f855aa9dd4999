// The compose stack's load balancer config (docker/nginx.conf) in front of two real instances on
// one Redis: docker/check-nginx.mjs does the work and prints one "ok - ..." line per check.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, it } from 'node:test';
import { hasCommand, needs } from '../helpers/environment.js';
import { REPO_ROOT } from '../helpers/test-server.js';

const REDIS_URL = process.env.TEST_REDIS_URL;
const skip = needs(hasCommand('nginx'), 'nginx (Debian package nginx-light)') || needs(REDIS_URL !== undefined, 'a Redis server: set TEST_REDIS_URL');

describe('docker/nginx.conf', { skip }, () => {
  it('streams uploads, serves webseed ranges, upgrades WebSockets and balances announces over instances sharing one swarm', () => {
    const r = spawnSync(process.execPath, [path.join(REPO_ROOT, 'docker/check-nginx.mjs')], {
      cwd: REPO_ROOT, encoding: 'utf8', timeout: 120_000, env: { ...process.env, REDIS_URL },
    });
    assert.equal(r.status, 0, `${r.stdout}\n${r.stderr}`);
    assert.match(r.stdout, /nginx.conf check passed/);
    assert.doesNotMatch(r.stdout, /not ok/);
  });
});
