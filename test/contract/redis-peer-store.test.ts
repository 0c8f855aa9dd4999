import { redisSkip, testRedisStore } from '../helpers/redis.js';
import { peerStoreContract } from './peer-store.contract.js';

peerStoreContract('redis', testRedisStore, redisSkip());
// small swarms' replies are picked from the views the store keeps (swarm-views.ts); the script's own pick, for large swarms and peer ids:
peerStoreContract('redis (peers picked by the script)', (opts) => testRedisStore({ ...opts, views: false }), redisSkip());
