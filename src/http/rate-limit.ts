import type { Context, MiddlewareHandler } from 'hono';
import { rateLimiter } from 'hono-rate-limiter';
import type { AppConfig } from '../config.js';
import type { Deps } from '../deps.js';
import type { AppEnv } from './env.js';
import { problemResponse } from './problem.js';
import type { RateLimitPolicy } from './rate-limit.config.js';

/** The route groups' limits; app.ts says which routes each covers. */
export type RateLimitGroup = 'perKey' | 'perAddress' | 'publicReads';

interface GroupRule {
  policy: (config: AppConfig) => RateLimitPolicy;
  /** What one bucket is: an API key or a client address. */
  countsBy: 'key' | 'address';
  /** Whether a request counts in this group at all. */
  applies: (c: Context<AppEnv>) => boolean;
  /** For the 429's detail: "Too many requests …". */
  from: string;
}

const GROUPS: Record<RateLimitGroup, GroupRule> = {
  perKey: {
    policy: (config) => config.RATE_LIMIT_PER_KEY,
    countsBy: 'key',
    applies: (c) => c.get('principal') !== undefined,
    from: 'with this API key',
  },
  perAddress: {
    policy: (config) => config.RATE_LIMIT_PER_ADDRESS,
    countsBy: 'address',
    applies: () => true,
    from: 'from this client address',
  },
  publicReads: {
    policy: (config) => config.RATE_LIMIT_PUBLIC,
    countsBy: 'address',
    applies: (c) => c.get('principal') === undefined,
    from: 'without an API key from this client address to public routes',
  },
};

/**
 * One rate limit group as a middleware, built on hono-rate-limiter: on Node its in-process store
 * (fixed windows; one process, so several Node processes would each allow the limit), with the
 * IETF draft's RateLimit-Limit/-Remaining/-Reset/-Policy headers (draft-ietf-httpapi-ratelimit-
 * headers-06); on Workers the Cloudflare binding (`deps.rateLimitBindings`), which counts across
 * isolates but reports no numbers, so only its 429s carry headers. Over the limit: 429
 * `rate_limited` with Retry-After. RATE_LIMITS=off makes every group a no-op.
 */
export function rateLimit(deps: Deps, group: RateLimitGroup): MiddlewareHandler<AppEnv> {
  if (deps.config.RATE_LIMITS === 'off') {
    return async (_c, next) => {
      await next();
    };
  }
  const rule = GROUPS[group];
  const { limit, windowSeconds } = rule.policy(deps.config);
  const keyGenerator = (c: Context<AppEnv>) => {
    if (rule.countsBy === 'address') return `address:${clientAddress(c, deps)}`;
    const principal = c.get('principal')!;
    return `key:${principal.keyId ?? principal.id}`;
  };
  const skip = (c: Context<AppEnv>) => !rule.applies(c);
  const tooMany = (c: Context<AppEnv>) =>
    problemResponse(
      c,
      429,
      'rate_limited',
      `Too many requests ${rule.from}: at most ${limit} every ${windowSeconds} s. Retry after the seconds in Retry-After.`,
      { limit, windowSeconds },
    );
  const binding = deps.rateLimitBindings?.[group];
  if (binding) {
    return rateLimiter<AppEnv>({
      binding,
      keyGenerator,
      skip,
      // The binding's window is fixed and its position unknown here: at most one whole window.
      handler: (c) => {
        c.header('Retry-After', String(windowSeconds));
        return tooMany(c);
      },
    });
  }
  return rateLimiter<AppEnv>({
    windowMs: windowSeconds * 1000,
    limit,
    standardHeaders: 'draft-6',
    keyGenerator,
    skip,
    // hono-rate-limiter has set Retry-After (seconds until the window resets) by now.
    handler: (c) => tooMany(c),
  });
}

/**
 * The address a per-address limit counts by: CLIENT_ADDRESS_HEADER's (the last one, which the
 * nearest proxy wrote), else the runtime's (`deps.clientAddress`). IPv6 clients are counted by
 * their /64, the block one subscriber usually gets, or each could take a fresh address per request.
 */
export function clientAddress(c: Context, deps: Deps): string {
  const header = deps.config.CLIENT_ADDRESS_HEADER;
  const fromHeader = header ? c.req.header(header)?.split(',').at(-1)?.trim() : undefined;
  const address = fromHeader || deps.clientAddress?.(c) || 'unknown';
  return address.includes(':') ? ipv6Prefix(address) : address;
}

/** The /64 of an IPv6 address ("2001:db8:0:1::/64"), or the IPv4 address it maps (::ffff:192.0.2.1). */
function ipv6Prefix(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return mapped[1]!;
  const [head = '', tail] = address.split('%')[0]!.split('::') as [string, string | undefined];
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = tail === undefined ? left : [...left, ...Array(8 - left.length - right.length).fill('0'), ...right];
  return `${groups
    .slice(0, 4)
    .map((g) => Number.parseInt(g || '0', 16).toString(16))
    .join(':')}::/64`;
}
