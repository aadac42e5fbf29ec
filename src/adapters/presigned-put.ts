import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Checks a presigned S3 PUT (AWS Signature Version 4, query-string authentication) the way S3
 * does, for the embedded default's store: s3rver accepts any V4 signature without checking it
 * (its V4 support is "unimplemented"), so the API's blob route checks it before handing the
 * request over. Spec: AWS S3 API reference, "Authenticating Requests: Using Query Parameters
 * (AWS Signature Version 4)" — canonical request with an UNSIGNED-PAYLOAD body hash.
 */
export interface PresignedRequest {
  method: string;
  /** Path and query exactly as the client sent them (IncomingMessage.url). */
  url: string;
  headers: Record<string, string | string[] | undefined>;
}

export type PresignCheck = { ok: true } | { ok: false; code: 'AccessDenied' | 'SignatureDoesNotMatch'; message: string };

const ALGORITHM = 'AWS4-HMAC-SHA256';

export function checkPresignedPut(
  req: PresignedRequest,
  credentials: { accessKeyId: string; secretAccessKey: string; region: string },
  now: Date,
): PresignCheck {
  const queryStart = req.url.indexOf('?');
  const path = queryStart < 0 ? req.url : req.url.slice(0, queryStart);
  const params = parseQuery(queryStart < 0 ? '' : req.url.slice(queryStart + 1));
  const get = (name: string) => params.find(([k]) => k === name)?.[1];
  const signature = get('X-Amz-Signature');
  const amzDate = get('X-Amz-Date');
  const expires = Number(get('X-Amz-Expires'));
  const credential = get('X-Amz-Credential');
  const signedHeaders = get('X-Amz-SignedHeaders');
  if (get('X-Amz-Algorithm') !== ALGORITHM || !signature || !amzDate || !credential || !signedHeaders || !(expires >= 0)) {
    return denied('SignatureDoesNotMatch', 'The URL is not a complete AWS Signature Version 4 presigned URL.');
  }
  const [accessKeyId, day, region, service, terminator] = credential.split('/');
  if (
    accessKeyId !== credentials.accessKeyId ||
    region !== credentials.region ||
    service !== 's3' ||
    terminator !== 'aws4_request'
  ) {
    return denied('SignatureDoesNotMatch', 'The URL was not signed with this store’s credentials.');
  }
  const signedAt = parseAmzDate(amzDate);
  if (!signedAt || amzDate.slice(0, 8) !== day) return denied('SignatureDoesNotMatch', 'X-Amz-Date is malformed.');
  if (now.getTime() > signedAt.getTime() + expires * 1000) return denied('AccessDenied', 'Request has expired');

  const headerNames = signedHeaders.split(';');
  const canonicalHeaders = headerNames.map((name) => `${name}:${headerValue(req.headers[name])}\n`).join('');
  const canonicalQuery = params
    .filter(([k]) => k !== 'X-Amz-Signature')
    .map(([k, v]) => [encodeRfc3986(k), encodeRfc3986(v)] as const)
    .sort(([a, av], [b, bv]) => (a < b ? -1 : a > b ? 1 : av < bv ? -1 : av > bv ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
  // S3 signs the path as sent (each segment encoded once, never twice).
  const canonicalRequest = [req.method, path, canonicalQuery, canonicalHeaders, signedHeaders, 'UNSIGNED-PAYLOAD'].join('\n');
  const scope = `${day}/${region}/s3/aws4_request`;
  const stringToSign = [ALGORITHM, amzDate, scope, sha256Hex(canonicalRequest)].join('\n');
  let key: Buffer = hmac(`AWS4${credentials.secretAccessKey}`, day!);
  for (const part of [region!, 's3', 'aws4_request']) key = hmac(key, part);
  const expected = Buffer.from(hmac(key, stringToSign).toString('hex'));
  const given = Buffer.from(signature);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return denied(
      'SignatureDoesNotMatch',
      'The request signature does not match: the URL, its headers or its length were changed.',
    );
  }
  return { ok: true };
}

function denied(code: 'AccessDenied' | 'SignatureDoesNotMatch', message: string): PresignCheck {
  return { ok: false, code, message };
}

/** Query parameters in the order sent, decoded (`+` is a literal plus in SigV4 URLs). */
function parseQuery(query: string): [string, string][] {
  if (!query) return [];
  return query.split('&').map((pair) => {
    const eq = pair.indexOf('=');
    const k = eq < 0 ? pair : pair.slice(0, eq);
    const v = eq < 0 ? '' : pair.slice(eq + 1);
    return [safeDecode(k), safeDecode(v)];
  });
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

function encodeRfc3986(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function headerValue(v: string | string[] | undefined): string {
  const s = Array.isArray(v) ? v.join(',') : (v ?? '');
  return s.trim().replace(/\s+/g, ' ');
}

/** `20260105T101112Z` → Date, or null. */
function parseAmzDate(s: string): Date | null {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(s);
  return m ? new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!)) : null;
}

const sha256Hex = (s: string) => createHash('sha256').update(s).digest('hex');
const hmac = (key: string | Buffer, data: string) => createHmac('sha256', key).update(data).digest();
