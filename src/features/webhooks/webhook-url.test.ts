import { describe, expect, it } from 'vitest';
import { addressKind, parseIpv6, webhookUrlProblem } from './webhook-url.js';

describe('webhook URL rules', () => {
  it.each([
    ['http://hooks.example.com/x', 'invalid_webhook_url'],
    ['ftp://hooks.example.com/x', 'invalid_webhook_url'],
    ['not a url', 'invalid_webhook_url'],
    ['https://user:pw@hooks.example.com/x', 'invalid_webhook_url'],
    ['https://hooks.example.com/x#frag', 'invalid_webhook_url'],
    ['https://localhost/x', 'private_address'],
    ['https://LOCALHOST./x', 'private_address'],
    ['https://api.localhost/x', 'private_address'],
    ['https://127.0.0.1/x', 'private_address'],
    ['https://2130706433/x', 'private_address'], // 127.0.0.1 as one number
    ['https://0x7f.1/x', 'private_address'],
    ['https://10.0.0.1/x', 'private_address'],
    ['https://172.31.255.255/x', 'private_address'],
    ['https://192.168.1.1/x', 'private_address'],
    ['https://100.64.0.1/x', 'private_address'], // CGNAT
    ['https://169.254.169.254/latest/meta-data', 'private_address'],
    ['https://0.0.0.0/x', 'private_address'],
    ['https://[::1]/x', 'private_address'],
    ['https://[::]/x', 'private_address'],
    ['https://[::ffff:127.0.0.1]/x', 'private_address'],
    ['https://[::ffff:a9fe:a9fe]/x', 'private_address'],
    ['https://[fd12:3456::1]/x', 'private_address'], // unique local
    ['https://[fe80::1]/x', 'private_address'],
    ['https://[64:ff9b::a00:1]/x', 'private_address'],
    ['https://[2002:a00:1::1]/x', 'private_address'], // 6to4 of 10.0.0.1
    ['https://[2001:db8::1]/x', 'private_address'],
  ])('refuses %s (%s)', (url, code) => {
    expect(webhookUrlProblem(url, false)?.code).toBe(code);
  });

  it.each([
    'https://hooks.example.com/haipai?x=1',
    'https://93.184.216.34/hook',
    'https://[2606:4700::6810:84e5]/hook',
    'https://[::ffff:93.184.216.34]/hook',
    'https://hooks.example.com:8443/haipai',
  ])('accepts %s', (url) => {
    expect(webhookUrlProblem(url, false)).toBeNull();
  });

  it('WEBHOOK_ALLOW_HTTP_LOCAL accepts http and private hosts, but still not credentials', () => {
    expect(webhookUrlProblem('http://127.0.0.1:8080/x', true)).toBeNull();
    expect(webhookUrlProblem('http://localhost/x', true)).toBeNull();
    expect(webhookUrlProblem('http://u:p@127.0.0.1/x', true)?.code).toBe('invalid_webhook_url');
  });
});

describe('IP addresses', () => {
  it('parses IPv6 text forms', () => {
    expect(parseIpv6('::1')).toEqual([0, 0, 0, 0, 0, 0, 0, 1]);
    expect(parseIpv6('::ffff:1.2.3.4')).toEqual([0, 0, 0, 0, 0, 0xffff, 0x0102, 0x0304]);
    expect(parseIpv6('fe80::1%eth0')).toEqual([0xfe80, 0, 0, 0, 0, 0, 0, 1]);
    expect(parseIpv6('1:2:3:4:5:6:7:8')).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(parseIpv6('1::2::3')).toBeNull();
    expect(parseIpv6('1:2:3:4:5:6:7:8:9')).toBeNull();
    expect(parseIpv6('12345::')).toBeNull();
  });

  it('classifies DNS answers', () => {
    expect(addressKind('8.8.8.8')).toBe('public');
    expect(addressKind('172.15.0.1')).toBe('public');
    expect(addressKind('172.16.0.1')).toBe('private');
    expect(addressKind('100.63.255.255')).toBe('public');
    expect(addressKind('100.128.0.0')).toBe('public');
    expect(addressKind('224.0.0.1')).toBe('private');
    expect(addressKind('255.255.255.255')).toBe('private');
    expect(addressKind('2a00:1450:4001:80b::200e')).toBe('public');
    expect(addressKind('ff02::1')).toBe('private');
    expect(addressKind('hooks.example.com')).toBe('not_ip');
  });
});
