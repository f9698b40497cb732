import { BroadcastEnvelope, EnvelopeControl } from './broadcast-envelope';

export type EnvelopeHandler = (envelope: BroadcastEnvelope) => void;

/**
 * The relay between instances. Implementations: Redis pub/sub (production) and an in-process
 * bus (single-instance development). Used as the injection token.
 */
export abstract class BroadcastBus {
  /** Hands the envelope to the other instances. Never rejects: failures are logged. */
  abstract publish(userIds: string[] | null, frame: string): Promise<void>;

  /** Hands an instruction about these users' sockets to the other instances. Never rejects. */
  abstract publishControl(userIds: string[], control: EnvelopeControl): Promise<void>;

  /** Registers the single consumer of envelopes published by other instances. */
  abstract onEnvelope(handler: EnvelopeHandler): void;

  /** Resolves when the bus can carry envelopes right now; rejects with the reason otherwise. */
  abstract ping(): Promise<void>;

  /** Called after the subscriber reconnects: envelopes may have been lost meanwhile. */
  abstract onResubscribed(handler: () => void): void;

  /**
   * Called when publishing works again after publishes failed: the other instances missed
   * envelopes from this one, and only this one knows.
   */
  abstract onPublishRecovered(handler: () => void): void;
}
