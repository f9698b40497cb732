import { afterAll } from 'vitest';
import { dropRedisKeys, issuedChannelPrefixes } from './services';

/**
 * Setup file of the e2e project: once a test file is done, the keys of every channel prefix it
 * took from uniqueChannelPrefix() are deleted from the shared Redis. A stopping instance leaves
 * its users' presence entries for the other instances to expire, and no instance of that
 * prefix ever runs again, so without this they stayed for good: 14 keys after
 * store-messages and ws-client-manager alone. Registered before any hook of the file, so it
 * runs after them (vitest runs after-hooks in reverse): the file's own afterAll hooks stop its
 * instances first.
 */
afterAll(async () => {
  for (const prefix of issuedChannelPrefixes()) await dropRedisKeys(prefix);
});
