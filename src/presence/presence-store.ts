/**
 * Who is online on any instance. A user is online while at least one instance holds a device
 * of theirs; each instance reports only its first-device/last-device transitions.
 */
export abstract class PresenceStore {
  /** This instance now holds a device of the user. True if the user was offline everywhere. */
  abstract connect(userId: string): Promise<boolean>;

  /** This instance no longer holds any device of the user. True if the user is now offline everywhere. */
  abstract disconnect(userId: string): Promise<boolean>;

  /** Renews this instance's entries, so they outlive the TTL while the instance lives. */
  abstract heartbeat(userIds: string[]): Promise<void>;

  /** Drops entries of instances that stopped heartbeating (crashed); returns users now offline everywhere. */
  abstract reapExpired(): Promise<string[]>;

  abstract isOnline(userId: string): Promise<boolean>;
}
