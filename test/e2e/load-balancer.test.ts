// The compose stack's load balancer config (docker/nginx.conf) in front of two real instances on
// one Redis: docker/check-nginx.mjs does the work and prints one "ok - ..." line per check. And
// docker/compose.yaml read as Compose would read it (YAML, `${VAR:-default}` with the defaults).
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { BlockList } from 'node:net';
import path from 'node:path';
import { describe, it } from 'node:test';
import { hasCommand, needs } from '../helpers/environment.js';
import { REPO_ROOT } from '../helpers/test-server.js';
import { ADVISED_NOTSENT_LOWAT } from '../../server/http/kernel-tcp-note.js';

const REDIS_URL = process.env.TEST_REDIS_URL;
const skip = needs(hasCommand('nginx'), 'nginx (Debian package nginx-light)') || needs(REDIS_URL !== undefined, 'a Redis server: set TEST_REDIS_URL');

describe('docker/nginx.conf', { skip }, () => {
  it('streams uploads, upgrades WebSockets on /graphql only, balances announces, and holds against requests that reset instances, long heads and big bodies', () => {
    const r = spawnSync(process.execPath, [path.join(REPO_ROOT, 'docker/check-nginx.mjs')], {
      cwd: REPO_ROOT, encoding: 'utf8', timeout: 300_000, // a bound for a loaded machine; it takes about 10 s env: { ...process.env, REDIS_URL },
    });
    assert.equal(r.status, 0, `${r.stdout}\n${r.stderr}`);
    assert.match(r.stdout, /nginx.conf check passed/);
    assert.doesNotMatch(r.stdout, /not ok/);
  });
});

/** Debian's python3 with PyYAML (a pyenv python3 on PATH may lack it), or null. */
const yamlPython = ['/usr/bin/python3', 'python3'].find((py) => spawnSync(py, ['-c', 'import yaml']).status === 0) ?? null;

interface Compose {
  services: Record<string, { environment?: Record<string, string>; ports?: string[]; networks?: Record<string, { ipv4_address?: string }> | string[] }>;
  networks: Record<string, { ipam: { config: { subnet: string; ip_range: string }[] } }>;
}

/** docker/compose.yaml as Compose reads it with no .env: YAML (anchors merged), then each `${VAR:-default}` its default. */
function composeWithDefaults(): Compose {
  const json = execFileSync(yamlPython as string, ['-c', 'import json, sys, yaml; print(json.dumps(yaml.safe_load(sys.stdin)))'],
    { input: readFileSync(path.join(REPO_ROOT, 'docker/compose.yaml')), encoding: 'utf8' });
  return JSON.parse(json.replace(/\$\{(\w+)(:?[-?])([^}]*)\}/g, (_, _name, op, word) => (op.endsWith('-') ? word : 'required')));
}

describe('docker/compose.yaml', { skip: needs(yamlPython !== null, 'python3 with PyYAML (Debian package python3-yaml)') }, () => {
  it('trusts only nginx (the UDP tracker published by seedhost1 alone), whose fixed address lies in the network and outside the range Docker hands out', () => {
    const compose = composeWithDefaults();
    const services = compose.services;
    const proxy = (services.nginx.networks as Record<string, { ipv4_address?: string }>).seedhost.ipv4_address ?? '';
    const { subnet, ip_range: range } = compose.networks.seedhost.ipam.config[0];
    const within = (cidr: string): boolean => {
      const [net, bits] = cidr.split('/');
      const list = new BlockList();
      list.addSubnet(net, Number(bits));
      return list.check(proxy);
    };
    assert.ok(within(subnet) && !within(range), `${proxy} in ${subnet}, outside ${range}`);
    for (const name of ['seedhost1', 'seedhost2']) assert.equal(services[name].environment?.TRUSTED_PROXIES, proxy, name);
    const published = Object.keys(services).filter((s) => services[s].ports !== undefined);
    assert.deepEqual(published, ['seedhost1', 'nginx'], 'nginx (HTTP) and seedhost1 (the UDP tracker) are published');
    // an instance publishes UDP only: its HTTP side is reached through nginx, which sets X-Forwarded-For
    assert.deepEqual(services.seedhost1.ports, ['8080:8080/udp'], 'seedhost1 publishes the UDP tracker and nothing else');
    const conf = readFileSync(path.join(REPO_ROOT, 'docker/nginx.conf'), 'utf8');
    for (const name of ['seedhost1', 'seedhost2']) assert.match(conf, new RegExp(`server ${name}:8080 `), `nginx.conf balances over ${name}`);
  });

  it('bounds the unsent bytes a client that stops reading holds in the kernel, on the instances and on nginx', () => {
    const services = composeWithDefaults().services as Record<string, { sysctls?: Record<string, unknown> }>;
    for (const name of ['seedhost1', 'seedhost2', 'nginx']) {
      assert.equal(Number(services[name].sysctls?.['net.ipv4.tcp_notsent_lowat']), ADVISED_NOTSENT_LOWAT, name);
    }
  });

  it('has .env.example list the network settings with the defaults compose.yaml uses', () => {
    const example = readFileSync(path.join(REPO_ROOT, 'docker/.env.example'), 'utf8');
    const yaml = readFileSync(path.join(REPO_ROOT, 'docker/compose.yaml'), 'utf8');
    for (const name of ['SEEDHOST_SUBNET', 'SEEDHOST_IP_RANGE', 'SEEDHOST_PROXY_IP']) {
      const defaults = new Set([...yaml.matchAll(new RegExp(`\\$\\{${name}:-([^}]*)\\}`, 'g'))].map((m) => m[1]));
      assert.equal(defaults.size, 1, `${name} has one default in compose.yaml`);
      assert.match(example, new RegExp(`^#?${name}=${[...defaults][0].replace(/[./]/g, '\\$&')}$`, 'm'), name);
    }
  });
});
