/** What one delivery attempt got back. Redirects are not followed: a 3xx is a failure (Standard Webhooks). */
export interface WebhookResponse {
  status: number;
  /** The Retry-After header, if any (429, 503). */
  retryAfter: string | null;
}

/**
 * The outgoing HTTP client of webhook deliveries. It throws on network failure and on timeout;
 * a refusal to connect to a private address is a `PrivateAddressError`.
 */
export interface WebhookTransport {
  post(url: string, headers: Record<string, string>, body: string, timeoutMs: number): Promise<WebhookResponse>;
}

/** A host resolved to an address webhooks may not reach. */
export class PrivateAddressError extends Error {
  override name = 'PrivateAddressError';
  readonly code = 'private_address';
}

/**
 * Deliveries through `fetch`: the Workers runtime (where requests leave from Cloudflare's network,
 * not the operator's) and the default when deps bring no transport. It cannot see which address a
 * host name resolves to, so on Node the entry installs `nodeWebhookTransport` instead.
 */
export function fetchWebhookTransport(fetchFn: typeof fetch = fetch): WebhookTransport {
  return {
    async post(url, headers, body, timeoutMs) {
      let res: Response;
      try {
        res = await fetchFn(url, { method: 'POST', headers, body, redirect: 'manual', signal: AbortSignal.timeout(timeoutMs) });
      } catch (err) {
        if ((err as Error).name === 'TimeoutError') throw new Error(`no response within ${timeoutMs} ms`);
        throw err;
      }
      // The body is of no interest; release the connection.
      await res.body?.cancel().catch(() => {});
      return { status: res.status, retryAfter: res.headers.get('retry-after') };
    },
  };
}
