import { redisSkip, testRedisStore } from '../helpers/redis.js';
import { peerStoreContract } from './peer-store.contract.js';

peerStoreContract('redis', testRedisStore, redisSkip());
