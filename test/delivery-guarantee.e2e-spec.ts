import { randomInt } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { ApiClient, TestUser } from './support/api-client';
import { ReliableClient } from './support/reliable-client';
import { RetryingSender } from './support/retrying-sender';
import { startTestRelays } from './support/test-relays';
import { ThrowawayRedis } from './support/throwaway-redis';

const SENDERS = 4;
const RECEIVERS = 4;
const MESSAGES_PER_SENDER = 40;
const RUN_LIMIT_MS = 45_000;

/**
 * The promise, checked end to end: every acked message reaches every member exactly once, in
 * seq order, with seq exactly 1..N, while senders retry, receivers drop and reconnect at
 * random, and the infrastructure fails under them.
 */
describe('delivery guarantee (soak, 3 instances)', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function cluster() {
    const redis = await ThrowawayRedis.create();
    cleanups.push(() => redis.stop());
    const relays = await startTestRelays({
      env: {
        REDIS_URL: redis.url,
        DATABASE_CONNECT_TIMEOUT_MS: '1000',
        // Senders send as fast as acks come back; the rate limit is not what this file tests.
        WS_RATE_BURST: '1000',
        WS_RATE_PER_SECOND: '1000',
      },
      instances: [{ INSTANCE_ID: 'A' }, { INSTANCE_ID: 'B' }, { INSTANCE_ID: 'C' }],
    });
    cleanups.push(() => relays.stop('SIGKILL'));
    const { instances } = relays;
    const alive = () => instances.filter((instance) => instance.process.exitCode === null && instance.process.signalCode === null);
    const api = () => new ApiClient(alive()[randomInt(alive().length)].httpUrl);
    const users: TestUser[] = [];
    for (let i = 0; i < SENDERS + RECEIVERS; i++) users.push(await api().newUser(i < SENDERS ? `sender${i}` : `receiver${i}`));
    const conversationId = await api().createGroup(users[0], 'soak', users.slice(1).map((user) => user.id));
    return { instances, redis, alive, api, users, conversationId };
  }

  /** Chaos is injected at points in the run (after so many acks), not at wall-clock times. */
  type Chaos = (afterAcks: (count: number) => Promise<void>) => Promise<void>;

  async function soak(setup: Awaited<ReturnType<typeof cluster>>, chaos: Chaos) {
    const { alive, api, users, conversationId } = setup;
    const deadline = Date.now() + RUN_LIMIT_MS;
    const timeUp = () => Date.now() > deadline;
    const pickUrl = () => alive()[randomInt(alive().length)].wsUrl;
    const senders = users.slice(0, SENDERS).map((user) => new RetryingSender(user, pickUrl));
    const receivers = users.slice(SENDERS).map((user) => new ReliableClient(user, api, [conversationId]));
    cleanups.push(() => [...senders, ...receivers].forEach((client) => (client instanceof RetryingSender ? client.close() : client.drop())));
    await Promise.all(receivers.map((receiver) => receiver.connect(pickUrl())));

    let sending = true;
    const churn = receivers.map(async (receiver) => {
      while (sending && !timeUp()) {
        await new Promise((resolve) => setTimeout(resolve, 150 + randomInt(400)));
        receiver.drop();
        await new Promise((resolve) => setTimeout(resolve, randomInt(300)));
        await receiver.connect(pickUrl()).catch(() => undefined);
      }
    });
    const sends = Promise.all(senders.map((sender) => sender.sendAll(conversationId, MESSAGES_PER_SENDER, timeUp)));
    const ackCount = () => senders.reduce((sum, sender) => sum + sender.acked.length, 0);
    await chaos(async (count) => {
      while (ackCount() < count && !timeUp()) await new Promise((resolve) => setTimeout(resolve, 20));
    });
    await sends;
    sending = false;
    await Promise.all(churn);

    for (const receiver of receivers) if (!receiver.connected) await receiver.connect(pickUrl());
    const acked = senders.flatMap((sender) => sender.acked);
    expect(acked).toHaveLength(SENDERS * MESSAGES_PER_SENDER);
    const reports = [];
    for (const receiver of receivers) {
      const lastSeqs = await receiver.settle();
      const log = receiver.log(conversationId);
      const seqs = log.map((entry) => entry.seq);
      const byClientMsgId = new Map(log.map((entry) => [entry.clientMsgId, entry]));
      const lost = acked.filter((ack) => byClientMsgId.get(ack.clientMsgId)?.id !== ack.id).length;
      const duplicated = log.length - byClientMsgId.size;
      const outOfOrder = seqs.filter((seq, index) => seq !== index + 1).length;
      reports.push({ lost, duplicated, outOfOrder, n: lastSeqs[conversationId], received: log.length, redeliveriesDropped: receiver.redeliveries });
    }
    // Every acked message stored once: N is exactly the number of acked sends.
    for (const report of reports) {
      expect(report).toMatchObject({ lost: 0, duplicated: 0, outOfOrder: 0, n: acked.length, received: acked.length });
    }
    const retries = senders.reduce((sum, sender) => sum + sender.retries, 0);
    console.info(`soak: ${acked.length} acked, ${retries} retries, receivers: ${JSON.stringify(reports)}`);
    return { reports, retries };
  }

  it('holds with senders retrying and receivers reconnecting at random', async () => {
    const setup = await cluster();
    const { retries } = await soak(setup, () => Promise.resolve());
    expect(retries).toBeGreaterThan(0); // the run did exercise retries
  });

  it('holds while Redis is restarted mid-run', async () => {
    const setup = await cluster();
    await soak(setup, async (afterAcks) => {
      await afterAcks(40);
      await setup.redis.stop();
      await afterAcks(80); // sends keep being acked (Postgres) while the relay is down
      await setup.redis.start();
    });
  });

  it('holds when an instance is killed with SIGKILL mid-run (its clients reconnect elsewhere)', async () => {
    const setup = await cluster();
    await soak(setup, async (afterAcks) => {
      await afterAcks(50);
      await setup.instances[2].stop('SIGKILL');
      expect(setup.alive()).toHaveLength(2);
    });
  });
});
