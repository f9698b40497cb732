/**
 * The address a login is counted against. Behind a trusted reverse proxy (TRUST_PROXY) it is
 * the last X-Forwarded-For entry: the one our proxy appended for the peer it saw. Entries
 * before it are whatever the client sent and cannot be trusted. Without TRUST_PROXY the
 * header is ignored, or anyone could pick a fresh address per attempt.
 */
export function clientIp(forwardedFor: string | string[] | undefined, remoteAddress: string | undefined, trustProxy: boolean): string {
  if (trustProxy && forwardedFor) {
    const hops = (Array.isArray(forwardedFor) ? forwardedFor.join(',') : forwardedFor)
      .split(',')
      .map((hop) => hop.trim())
      .filter((hop) => hop.length > 0);
    if (hops.length > 0) return normalise(hops[hops.length - 1]);
  }
  return normalise(remoteAddress ?? 'unknown');
}

/** One client, one key: "::ffff:10.0.0.1" (IPv4 on a dual-stack socket) is 10.0.0.1. */
function normalise(address: string): string {
  return address.startsWith('::ffff:') && address.includes('.') ? address.slice('::ffff:'.length) : address;
}
