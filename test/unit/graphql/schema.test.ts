import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { buildSchema, type GraphQLObjectType } from 'graphql';
import { schemaSdl } from '../../../server/graphql/print-schema.js';

const checkedIn = readFileSync(new URL('../../../../schema/schema.graphql', import.meta.url), 'utf8');

describe('GraphQL schema', () => {
  it('matches schema/schema.graphql (run `npm run schema` after changing resolvers)', async () => {
    assert.equal(await schemaSdl(), checkedIn);
  });

  it('has every name the contract promises', () => {
    for (const name of [
      'infoHash: String!', 'size: Float!', 'pieceLength: Int!', 'createdAt: DateTimeISO!', 'magnetUri: String!',
      'torrentUrl: String!', 'seeders: Int!', 'leechers: Int!', 'completed: Int!', 'torrent(infoHash: String!): Torrent', 'swarm(infoHash: String!): Swarm',
      'login(password: String!, username: String!): AuthPayload!', 'deleteTorrent(infoHash: String!): Boolean!', 'registerTorrent(description: String, file: Upload!): Torrent!',
      'swarmUpdated(infoHash: String): SwarmUpdate!', 'totalCount: Int!', 'pageInfo: PageInfo!', 'edges: [TorrentEdge!]!', 'nodes: [Torrent!]!',
    ]) assert.ok(checkedIn.includes(name), name);
    const schema = buildSchema(checkedIn);
    const args = (type: string, field: string): string[] =>
      (schema.getType(type) as GraphQLObjectType).getFields()[field].args.map((a) => `${a.name}: ${String(a.type)}`);
    // Torrent.files keeps its contract type; its paging arguments are optional (none: the first page)
    const files = (schema.getType('Torrent') as GraphQLObjectType).getFields().files;
    assert.equal(String(files.type), '[TorrentFile!]!');
    assert.deepEqual(args('Torrent', 'files').sort(), ['after: String', 'first: Int']);
    assert.deepEqual(args('Query', 'torrents').filter((a) => /^(search|first|after):/.test(a)).sort(), ['after: String', 'first: Int', 'search: String']);
    assert.deepEqual(args('Mutation', 'uploadTorrent').filter((a) => /^(files|name|description|pieceLength):/.test(a)).sort(),
      ['description: String', 'files: [Upload!]!', 'name: String', 'pieceLength: Int']);
    const swarm = (schema.getType('Swarm') as GraphQLObjectType).getFields();
    assert.deepEqual(Object.keys((schema.getType('Peer') as GraphQLObjectType).getFields()).sort(),
      ['client', 'cursor', 'downloaded', 'ip', 'lastSeen', 'left', 'port', 'seeder', 'uploaded']);
    assert.ok(['seeders', 'leechers', 'completed', 'peers'].every((f) => f in swarm));
    assert.deepEqual(args('Swarm', 'peers').sort(), ['after: String', 'first: Int']);
  });
});
