import { lookup as dnsLookup, type LookupAddress, type LookupAllOptions } from 'node:dns';
import { request as httpRequest, type IncomingMessage, type RequestOptions } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import { PrivateAddressError, type WebhookTransport } from './transport.js';
import { addressKind } from './webhook-url.js';

/** How much of a response body is read (and thrown away) before the connection is dropped. */
const MAX_RESPONSE_BYTES = 64 * 1024;

type Resolver = (
  hostname: string,
  options: LookupAllOptions,
  callback: (err: Error | null, addresses: LookupAddress[]) => void,
) => void;

/**
 * Deliveries on Node, through node:http(s) with a DNS lookup that refuses a host when any of its
 * addresses is not public. The check happens at connect time, on the very addresses the socket
 * will use, so a name cannot pass a check and then resolve elsewhere (DNS rebinding).
 * `allowPrivate` (WEBHOOK_ALLOW_HTTP_LOCAL) turns the check off for local development.
 */
export function nodeWebhookTransport(opts: { allowPrivate: boolean; resolve?: Resolver }): WebhookTransport {
  const resolve: Resolver = opts.resolve ?? ((host, options, cb) => dnsLookup(host, options, cb));
  const lookup: LookupFunction = (hostname, options, callback) => {
    resolve(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, '', 0);
      const refused = opts.allowPrivate ? undefined : addresses.find((a) => addressKind(a.address) !== 'public');
      if (refused) {
        return callback(
          new PrivateAddressError(`${hostname} resolves to ${refused.address}, which is not a public address`),
          '',
          0,
        );
      }
      if (options.all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, addresses);
      const first = addresses[0];
      if (!first) return callback(new Error(`${hostname} has no addresses`), '', 0);
      callback(null, first.address, first.family);
    });
  };

  return {
    post(url, headers, body, timeoutMs) {
      const target = new URL(url);
      const literal = target.hostname.startsWith('[') ? target.hostname.slice(1, -1) : target.hostname;
      // The lookup is skipped for IP literals, so those are checked here.
      if (!opts.allowPrivate && addressKind(literal) === 'private') {
        return Promise.reject(new PrivateAddressError(`${literal} is not a public address`));
      }
      const options: RequestOptions = {
        method: 'POST',
        headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
        lookup,
        signal: AbortSignal.timeout(timeoutMs),
      };
      const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
      return new Promise((resolvePromise, reject) => {
        const req = send(target, options, (res: IncomingMessage) => {
          let read = 0;
          res.on('data', (chunk: Buffer) => {
            read += chunk.length;
            if (read > MAX_RESPONSE_BYTES) res.destroy();
          });
          const done = () =>
            resolvePromise({
              status: res.statusCode ?? 0,
              retryAfter: (res.headers['retry-after'] as string | undefined) ?? null,
            });
          res.on('end', done);
          res.on('close', done);
          res.on('error', done);
        });
        req.on('error', (err: Error) => {
          const cause = (err as { cause?: unknown }).cause;
          reject(
            err.name === 'AbortError'
              ? new Error(`no response within ${timeoutMs} ms`)
              : cause instanceof PrivateAddressError
                ? cause
                : err,
          );
        });
        req.end(body);
      });
    },
  };
}
