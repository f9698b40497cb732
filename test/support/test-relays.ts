import { RelayInstance } from './relay-instance';
import { createTestDatabase, REDIS_URL, uniqueChannelPrefix } from './services';

export interface TestRelays {
  /** One per entry of `instances`, in the same order. */
  instances: RelayInstance[];
  /** The env every instance shares (DATABASE_URL, REDIS_URL, REDIS_CHANNEL_PREFIX, overrides): to start another one on the same data and channels. */
  env: Record<string, string>;
  /** Stops every instance, then drops the database. */
  stop(signal?: NodeJS.Signals): Promise<void>;
}

export interface TestRelaysOptions {
  /** Added to the shared env, overriding it: a test's own limits, a throwaway Redis's REDIS_URL. */
  env?: Record<string, string>;
  /** What each instance alone gets (INSTANCE_ID, ...), one entry per instance; one instance by default. */
  instances?: Record<string, string>[];
  /** Start each instance once the one before is up, rather than all at once. */
  oneAtATime?: boolean;
}

/**
 * A fresh database and Relay instances on it sharing one Redis channel prefix, as most e2e files
 * need. If an instance fails to start, the others are stopped and the database dropped.
 */
export async function startTestRelays({ env = {}, instances = [{}], oneAtATime = false }: TestRelaysOptions = {}): Promise<TestRelays> {
  const db = await createTestDatabase();
  const shared = { DATABASE_URL: db.url, REDIS_URL, REDIS_CHANNEL_PREFIX: uniqueChannelPrefix(), ...env };
  const started: RelayInstance[] = [];
  const stop = async (signal?: NodeJS.Signals) => {
    await Promise.all(started.map((instance) => instance.stop(signal)));
    await db.drop();
  };
  try {
    if (oneAtATime) {
      for (const own of instances) started.push(await RelayInstance.start({ ...shared, ...own }));
    } else {
      const results = await Promise.allSettled(instances.map((own) => RelayInstance.start({ ...shared, ...own })));
      for (const result of results) if (result.status === 'fulfilled') started.push(result.value);
      const failed = results.find((result) => result.status === 'rejected');
      if (failed) throw failed.reason;
    }
  } catch (error) {
    // The start failure is the one worth reporting, not a cleanup failure after it.
    await stop().catch(() => undefined);
    throw error;
  }
  return { instances: started, env: shared, stop };
}
