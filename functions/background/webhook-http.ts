import { lookup as dnsLookup, type LookupAddress, type LookupAllOptions } from 'node:dns';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { isPublicAddress } from '../core/webhooks/addresses.js';

/** A webhook URL that resolves to (or names) an address deliveries may not reach. */
export class BlockedAddressError extends Error {
  override name = 'BlockedAddressError';
}

/**
 * The dns lookup of every delivery connection: resolves the name and refuses it when any
 * address it gives is not public. It runs at connect time, for the very connection, so a name
 * that answers a public address when checked and a private one when used (DNS rebinding) gains
 * nothing: there is no second resolution.
 */
const publicOnlyLookup: LookupFunction = (hostname, options, callback) => {
  dnsLookup(hostname, { ...options, all: true } as LookupAllOptions, (error: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => {
    if (error) return callback(error, '', 0);
    const blocked = addresses.find((a) => !isPublicAddress(a.address));
    if (blocked) return callback(new BlockedAddressError(`${hostname} resolves to ${blocked.address}, which is not a public address`), '', 0);
    if (options.all) return callback(null, addresses);
    const first = addresses[0];
    return first ? callback(null, first.address, first.family) : callback(new BlockedAddressError(`${hostname} has no address`), '', 0);
  });
};

export interface WebhookPost {
  headers: Record<string, string>;
  body: string;
  timeoutMs: number;
  /** Local development and tests only: skip the address check. */
  allowPrivateNetworks: boolean;
}

/**
 * POSTs a delivery and resolves with the response status (redirects are not followed). Rejects
 * on a network error, a timeout, or an address that is not public: an address literal (the URL
 * parser has already turned `2130706433` or `0x7f.1` into `127.0.0.1`) is checked here, since
 * Node connects to literals without a lookup; a name, by the lookup above.
 */
export async function postWebhook(url: string, post: WebhookPost): Promise<number> {
  const target = new URL(url);
  const literal = target.hostname.replace(/^\[|\]$/g, '');
  if (!post.allowPrivateNetworks && isIP(literal) !== 0 && !isPublicAddress(literal)) throw new BlockedAddressError(`${literal} is not a public address`);
  const request = target.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = request(
      target,
      {
        method: 'POST',
        headers: { ...post.headers, 'content-length': String(Buffer.byteLength(post.body)) },
        signal: AbortSignal.timeout(post.timeoutMs),
        ...(post.allowPrivateNetworks ? {} : { lookup: publicOnlyLookup }),
      },
      (res: IncomingMessage) => {
        resolve(res.statusCode ?? 0);
        res.destroy();
      },
    );
    req.once('error', reject);
    req.end(post.body);
  });
}
