import { apiError } from '../platform/errors.js';

/*
 * The one place ids are parsed: uuids (every row's key) and Relay global ids
 * (base64url("Type:uuid"), opaque to clients, typed for the server).
 */

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Every row is keyed by a uuid: anything else would reach a uuid column and fail there, so callers check first. */
export const isUuid = (id: string): boolean => UUID.test(id);

/** Node types keyed by a number instead of a uuid. */
const NUMERIC_ID_TYPES = new Set(['AuditEntry']);

export function encodeGlobalID(typename: string, id: string | number | bigint): string {
  return Buffer.from(`${typename}:${id}`).toString('base64url');
}

/** The type and database id inside a global id, or null when `globalID` is not one of ours (never throws). */
export function tryDecodeGlobalID(globalID: string): { typename: string; id: string } | null {
  if (globalID.length > 200) return null;
  const raw = Buffer.from(globalID, 'base64url').toString('utf8');
  const i = raw.indexOf(':');
  if (i <= 0 || i === raw.length - 1 || !/^[A-Za-z]+$/.test(raw.slice(0, i))) return null;
  const typename = raw.slice(0, i);
  const id = raw.slice(i + 1);
  // Every node is keyed by a uuid (audit entries by a number): anything else would reach a uuid column and fail there.
  if (!(NUMERIC_ID_TYPES.has(typename) ? /^\d{1,19}$/.test(id) : isUuid(id))) return null;
  return { typename, id };
}

/** Like tryDecodeGlobalID, but a malformed id is the client's error (BAD_USER_INPUT). The builder's relay decoder. */
export function decodeGlobalID(globalID: string): { typename: string; id: string } {
  const decoded = tryDecodeGlobalID(globalID);
  if (!decoded) throw apiError('BAD_USER_INPUT', `Invalid id: ${globalID.slice(0, 80)}`);
  return decoded;
}

/** The database id inside `value` when it is a global id of `typename`, else null (never throws). */
export function parseGlobalIdFor(typename: string, value: string): string | null {
  const decoded = tryDecodeGlobalID(value);
  return decoded?.typename === typename ? decoded.id : null;
}
