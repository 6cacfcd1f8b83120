/**
 * Email addresses as the senders take them: one mailbox, no display name, no
 * characters a mail header could be split on. Stricter than RFC 5322 on
 * purpose (quoted local parts and IP literals are refused): guests' addresses
 * come from planners' spreadsheets, and a refused address is reported, never
 * half-sent.
 */
const ADDRESS =
  /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$/;

export function isSendableAddress(address: string): boolean {
  const a = address.trim();
  return ADDRESS.test(a) && !a.startsWith('.') && !a.includes('..') && !a.split('@')[0]!.endsWith('.');
}

/** Suppressions and duplicates compare addresses case-insensitively (every mail system we send to does). */
export function normalizeAddress(address: string): string {
  return address.trim().toLowerCase();
}

/** A phone number as SMS senders take it: E.164 once spaces, dashes, dots and brackets are dropped. */
const E164 = /^\+[1-9]\d{6,14}$/;
const phoneOf = (value: string) => value.replace(/[\s\-().]/g, '');

/** Per channel: an email address for EMAIL, an E.164 number for SMS. */
export function isSendableTo(channel: 'EMAIL' | 'SMS', address: string): boolean {
  return channel === 'SMS' ? E164.test(phoneOf(address)) : isSendableAddress(address);
}

export function normalizeFor(channel: 'EMAIL' | 'SMS', address: string): string {
  return channel === 'SMS' ? phoneOf(address) : normalizeAddress(address);
}
