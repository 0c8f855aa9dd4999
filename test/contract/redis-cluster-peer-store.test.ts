import { redisClusterSkip, testClusterStore } from '../helpers/redis-cluster.js';
import { peerStoreContract } from './peer-store.contract.js';

peerStoreContract('redis cluster (3 masters)', testClusterStore, redisClusterSkip());
