import { describe, expect, it } from 'vitest';
import { isDatabaseUnavailable } from './database-unavailable';

const withCode = (code: string, message = 'x') => Object.assign(new Error(message), { code });

describe('isDatabaseUnavailable', () => {
  it.each([
    withCode('ECONNREFUSED'),
    withCode('57P01', 'terminating connection due to administrator command'),
    withCode('08006'),
    new Error('Connection terminated unexpectedly'),
    new Error('timeout exceeded when trying to connect'),
    Object.assign(new Error('query failed'), { driverError: withCode('ECONNRESET') }),
  ])('treats %s as unavailable (retryable)', (error) => {
    expect(isDatabaseUnavailable(error)).toBe(true);
  });

  it.each([withCode('23505', 'duplicate key'), withCode('42P01', 'relation does not exist'), 'a string', null])(
    'does not treat %s as unavailable',
    (error) => {
      expect(isDatabaseUnavailable(error)).toBe(false);
    },
  );
});
