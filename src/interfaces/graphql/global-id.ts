import { apiError } from '../../platform/errors.js';

/** Relay global ids: base64url("Type:uuid"). Opaque to clients, typed for the server. */
export function encodeGlobalID(typename: string, id: string | number | bigint): string {
  return Buffer.from(`${typename}:${id}`).toString('base64url');
}

export function decodeGlobalID(globalID: string): { typename: string; id: string } {
  const raw = Buffer.from(globalID, 'base64url').toString('utf8');
  const i = raw.indexOf(':');
  if (globalID.length > 200 || i <= 0 || i === raw.length - 1 || !/^[A-Za-z]+$/.test(raw.slice(0, i))) {
    throw apiError('BAD_USER_INPUT', `Invalid id: ${globalID.slice(0, 80)}`);
  }
  return { typename: raw.slice(0, i), id: raw.slice(i + 1) };
}
