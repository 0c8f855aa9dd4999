import { LoginLimiter } from '../../server/services/login-limiter.js';
import { loginLimiterContract } from './login-limiter.contract.js';

loginLimiterContract('memory', (policy, clock) => ({ limiter: new LoginLimiter(policy, clock), close: async () => undefined }));
