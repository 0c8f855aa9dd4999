import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, loadConfig } from '../../../server/config.js';

describe('udp config', () => {
  it('serves UDP on PORT\'s number by default and derives PUBLIC_UDP_URL from PUBLIC_URL\'s host', () => {
    const c = loadConfig({ PORT: '6969', PUBLIC_URL: 'https://tracker.example.org/base' });
    assert.equal(c.udpPort, 6969);
    assert.equal(c.publicUdpUrl, 'udp://tracker.example.org:6969/announce');
    assert.equal(loadConfig({}).publicUdpUrl, 'udp://localhost:8080/announce');
    assert.equal(loadConfig({ PUBLIC_URL: 'http://[2001:db8::1]:80' }).publicUdpUrl, 'udp://[2001:db8::1]:8080/announce');
  });

  it('reads UDP_PORT (a number or off) and PUBLIC_UDP_URL', () => {
    assert.equal(loadConfig({ UDP_PORT: '1337' }).publicUdpUrl, 'udp://localhost:1337/announce');
    const off = loadConfig({ UDP_PORT: 'OFF' });
    assert.deepEqual([off.udpPort, off.publicUdpUrl], [null, undefined]);
    assert.equal(loadConfig({ UDP_PORT: '0' }).publicUdpUrl, undefined, 'no port known before binding');
    assert.equal(loadConfig({ PUBLIC_UDP_URL: 'udp://udp.example.org:6969' }).publicUdpUrl, 'udp://udp.example.org:6969');
  });

  it('stops the start with one line naming a bad UDP setting', () => {
    for (const [env, name] of [
      [{ UDP_PORT: '65536' }, 'UDP_PORT'], [{ UDP_PORT: 'on' }, 'UDP_PORT'], [{ UDP_SECRET: 'short' }, 'UDP_SECRET'],
      [{ PUBLIC_UDP_URL: 'http://x:1/announce' }, 'PUBLIC_UDP_URL'], [{ PUBLIC_UDP_URL: 'udp://x/announce' }, 'PUBLIC_UDP_URL'],
    ] as const) {
      assert.throws(() => loadConfig(env), (e: Error) => e instanceof ConfigError && e.message.startsWith(`invalid ${name}:`) && !e.message.includes('\n'));
    }
  });
});
