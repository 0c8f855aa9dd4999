import { MemoryPeerStore } from '../../server/tracker/memory-peer-store.js';
import { peerStoreContract } from './peer-store.contract.js';

peerStoreContract('memory', (opts) => new MemoryPeerStore(opts));
