import type { Context, MiddlewareHandler } from 'hono';
import { bytesEqual } from '../crypto/bytes.js';
import { sha256Sync } from '../crypto/sha256-sync.js';
import type { PrincipalKind } from '../db/schema.js';
import type { AppEnv, Principal } from './env.js';
import { AppError } from './problem.js';

export const SCOPES = ['read', 'write'] as const;
export type Scope = (typeof SCOPES)[number];

/**
 * Resolves `Authorization: Bearer <key>` to a principal, if present. Routes decide what they
 * need with `requirePrincipal`; public routes never look. A presented but unknown key is a 401
 * even on public routes, so a typo never silently downgrades to anonymous.
 */
export function authenticate(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const header = c.req.header('authorization');
    if (header) {
      const match = /^Bearer\s+(\S+)$/i.exec(header);
      if (!match) throw new AppError(401, 'unauthenticated', 'Use "Authorization: Bearer <api key>".');
      c.set('principal', await resolveKey(c, match[1]!));
    }
    await next();
  };
}

const encoder = new TextEncoder();

/**
 * Keys are hashed in the calling thread: Web Crypto's digest is a thread-pool round trip on Node,
 * which with the operator key's hash made two per request (4 % of the server's CPU under
 * `bench:trade`). The operator key's hash is remembered, for the one key configured.
 */
function keyHash(secret: string): Uint8Array {
  return sha256Sync(encoder.encode(secret));
}

let operatorKeyHash: { secret: string; hash: Uint8Array } | undefined;

function isOperatorKey(hash: Uint8Array, operatorKey: string | undefined): boolean {
  if (!operatorKey) return false;
  if (operatorKeyHash?.secret !== operatorKey) operatorKeyHash = { secret: operatorKey, hash: keyHash(operatorKey) };
  return bytesEqual(hash, operatorKeyHash.hash);
}

async function resolveKey(c: Context<AppEnv>, secret: string): Promise<Principal> {
  const { db, config } = c.get('deps');
  const hash = keyHash(secret);
  if (isOperatorKey(hash, config.OPERATOR_API_KEY)) {
    return { kind: 'operator', id: 'operator', keyId: null, scopes: SCOPES };
  }
  const key = await db
    .selectFrom('api_keys')
    .select(['id', 'principal_kind', 'principal_id', 'scopes', 'revoked_at'])
    .where('secret_hash', '=', hash)
    .executeTakeFirst();
  if (!key || key.revoked_at) throw new AppError(401, 'unauthenticated', 'The API key is unknown or revoked.');
  return { kind: key.principal_kind, id: key.principal_id, keyId: key.id, scopes: key.scopes };
}

/**
 * The caller, who must be one of `kinds`. Requests other than GET/HEAD also need the `write` scope.
 */
export function requirePrincipal(c: Context<AppEnv>, ...kinds: PrincipalKind[]): Principal {
  const principal = c.get('principal');
  if (!principal) throw new AppError(401, 'unauthenticated', 'This endpoint needs an API key.');
  if (kinds.length > 0 && !kinds.includes(principal.kind)) {
    throw new AppError(
      403,
      'wrong_role',
      `This endpoint is for ${kinds.join(' or ')} keys; this key belongs to a ${principal.kind}.`,
    );
  }
  const needs: Scope = c.req.method === 'GET' || c.req.method === 'HEAD' ? 'read' : 'write';
  if (!principal.scopes.includes(needs)) {
    throw new AppError(403, 'insufficient_scope', `This key lacks the "${needs}" scope.`);
  }
  return principal;
}
