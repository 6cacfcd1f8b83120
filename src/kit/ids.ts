import { apiError } from '../platform/errors.js';

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
  const typename = raw.slice(0, i);
  const id = raw.slice(i + 1);
  // Every node is keyed by a uuid (audit entries by a number): anything else would reach a uuid column and fail there.
  if (!(NUMERIC_ID_TYPES.has(typename) ? /^\d{1,19}$/.test(id) : isUuid(id))) {
    throw apiError('BAD_USER_INPUT', `Invalid id: ${globalID.slice(0, 80)}`);
  }
  return { typename, id };
}

const NUMERIC_ID_TYPES = new Set(['AuditEntry']);

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Every row is keyed by a uuid: anything else would reach a uuid column and fail there, so callers check first. */
export const isUuid = (id: string): boolean => UUID.test(id);
