import { AppError } from '../../http/problem.js';

/*
 * Where webhooks may be sent (SSRF defence, Standard Webhooks "Server side request forgery"):
 * https only, and never to an address that is not public unicast. Host names are checked here
 * when they are IP literals or localhost; names that resolve to such addresses are refused at
 * connect time by the Node transport (node-transport.ts), which checks every DNS answer.
 * Pure code: it runs on Workers as well.
 */

export const MAX_URL_LENGTH = 2048;

export type WebhookUrlProblem = { code: 'invalid_webhook_url' | 'private_address'; detail: string };

/** Why `raw` may not be a webhook endpoint, or null when it may. */
export function webhookUrlProblem(raw: string, allowLocal: boolean): WebhookUrlProblem | null {
  const invalid = (detail: string) => ({ code: 'invalid_webhook_url' as const, detail });
  if (raw.length > MAX_URL_LENGTH) return invalid(`The URL is longer than ${MAX_URL_LENGTH} characters.`);
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return invalid('The URL cannot be parsed; send an absolute https:// URL.');
  }
  if (url.protocol !== 'https:' && !(allowLocal && url.protocol === 'http:')) {
    return invalid('Webhook URLs must use https.');
  }
  if (url.username || url.password) return invalid('Webhook URLs may not carry a user name or password.');
  if (url.hash) return invalid('Webhook URLs may not have a fragment (#…); it is never sent.');
  if (allowLocal) return null;
  // WHATWG URL parsing has already turned every IPv4 spelling (0x7f.1, 2130706433 …) into
  // dotted decimal and every IPv6 literal into its canonical bracketed form.
  const host = url.hostname.replace(/\.$/, '').toLowerCase();
  if (host === 'localhost' || host.endsWith('.localhost')) {
    return { code: 'private_address', detail: `${host} is this machine; webhooks go to public addresses only.` };
  }
  const literal = host.startsWith('[') ? host.slice(1, -1) : host;
  if (addressKind(literal) === 'private') {
    return {
      code: 'private_address',
      detail: `${literal} is a private, loopback, link-local or reserved address; webhooks go to public addresses only.`,
    };
  }
  return null;
}

/** The URL check as a 422 problem. */
export function assertWebhookUrl(raw: string, allowLocal: boolean): void {
  const problem = webhookUrlProblem(raw, allowLocal);
  if (problem) throw new AppError(422, problem.code, problem.detail);
}

/**
 * 'public' for a global unicast IP address, 'private' for any other IP address (private, loopback,
 * link-local, CGNAT, unique-local, multicast, documentation, reserved …), 'not_ip' for a name.
 */
export function addressKind(text: string): 'public' | 'private' | 'not_ip' {
  const v4 = parseIpv4(text);
  if (v4 !== null) return isPublicIpv4(v4) ? 'public' : 'private';
  const v6 = parseIpv6(text);
  if (v6 !== null) return isPublicIpv6(v6) ? 'public' : 'private';
  return 'not_ip';
}

// IPv4 ranges that are not public unicast (IANA special-purpose registry, RFC 6890 and successors).
const V4_NOT_PUBLIC: [string, number][] = [
  ['0.0.0.0', 8], // "this network"
  ['10.0.0.0', 8], // private (RFC 1918)
  ['100.64.0.0', 10], // carrier-grade NAT (RFC 6598)
  ['127.0.0.0', 8], // loopback
  ['169.254.0.0', 16], // link-local, cloud metadata services
  ['172.16.0.0', 12], // private
  ['192.0.0.0', 24], // IETF protocol assignments
  ['192.0.2.0', 24], // documentation
  ['192.88.99.0', 24], // 6to4 relay anycast (deprecated)
  ['192.168.0.0', 16], // private
  ['198.18.0.0', 15], // benchmarking
  ['198.51.100.0', 24], // documentation
  ['203.0.113.0', 24], // documentation
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, and broadcast
];
const V4_RANGES = V4_NOT_PUBLIC.map(([base, bits]) => ({
  base: parseIpv4(base)!,
  mask: bits === 0 ? 0 : (~0 << (32 - bits)) >>> 0,
}));

function isPublicIpv4(ip: number): boolean {
  return !V4_RANGES.some((r) => (ip & r.mask) >>> 0 === r.base);
}

/** Dotted decimal, four parts, as URL parsing and DNS answers give it; anything else is null. */
export function parseIpv4(text: string): number | null {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  if (!m) return null;
  const parts = m.slice(1).map(Number);
  if (parts.some((p) => p > 255)) return null;
  return ((parts[0]! << 24) | (parts[1]! << 16) | (parts[2]! << 8) | parts[3]!) >>> 0;
}

/** Eight 16-bit groups (RFC 4291 §2.2 text forms, with an optional zone), or null. */
export function parseIpv6(text: string): number[] | null {
  let s = text;
  const zone = s.indexOf('%');
  if (zone >= 0) s = s.slice(0, zone);
  if (!s.includes(':')) return null;
  // A trailing dotted IPv4 part (::ffff:1.2.3.4) stands for the last two groups.
  const lastColon = s.lastIndexOf(':');
  const last = s.slice(lastColon + 1);
  if (last.includes('.')) {
    const v4 = parseIpv4(last);
    if (v4 === null) return null;
    s = `${s.slice(0, lastColon + 1)}${(v4 >>> 16).toString(16)}:${(v4 & 0xffff).toString(16)}`;
  }
  const halves = s.split('::');
  if (halves.length > 2) return null;
  const group = (h: string) => (h === '' ? [] : h.split(':'));
  const head = group(halves[0]!);
  const rest = halves.length === 2 ? group(halves[1]!) : [];
  const words = [...head, ...rest];
  if (!words.every((w) => /^[0-9a-fA-F]{1,4}$/.test(w))) return null;
  const total = words.length;
  if (halves.length === 1 ? total !== 8 : total > 7) return null;
  const zeros = halves.length === 2 ? 8 - total : 0;
  return [...head.map((w) => Number.parseInt(w, 16)), ...Array(zeros).fill(0), ...rest.map((w) => Number.parseInt(w, 16))];
}

function isPublicIpv6(g: number[]): boolean {
  // IPv4-mapped ::ffff:a.b.c.d: the IPv4 address decides.
  if (g.slice(0, 5).every((w) => w === 0) && g[5] === 0xffff) return isPublicIpv4(((g[6]! << 16) | g[7]!) >>> 0);
  // Only global unicast 2000::/3 can be public: this excludes ::, ::1, IPv4-compatible ::/96,
  // NAT64 64:ff9b::/96, discard 100::/64, unique-local fc00::/7, link-local fe80::/10 and multicast.
  if ((g[0]! & 0xe000) !== 0x2000) return false;
  if (g[0] === 0x2001 && g[1]! < 0x0200) return false; // 2001::/23 IETF protocol assignments (Teredo, ORCHID …)
  if (g[0] === 0x2001 && g[1] === 0x0db8) return false; // documentation
  if (g[0] === 0x3fff && g[1]! < 0x1000) return false; // documentation 3fff::/20
  if (g[0] === 0x2002) return isPublicIpv4(((g[1]! << 16) | g[2]!) >>> 0); // 6to4 embeds an IPv4 address
  return true;
}
