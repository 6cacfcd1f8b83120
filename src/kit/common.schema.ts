import { Kind } from 'graphql';
import {
  ConflictError,
  DomainError,
  InvalidCredentialsError,
  InvalidTokenError,
  ModuleDependencyError,
  RateLimitedError,
  ValidationError,
} from '../platform/errors.js';
import { builder } from './builder.js';
import { parseDateTime } from './date-time.js';
import { checkJsonValue, jsonFromLiteral, MAX_JSON_BYTES, MAX_JSON_DEPTH } from './json-value.js';
import { inheritedType } from './rules.js';

builder.scalarType('DateTime', {
  description: 'An ISO-8601 instant with offset, e.g. 2027-06-01T17:00:00Z (years 0001–9999).',
  serialize: (v) => (v instanceof Date ? v.toISOString() : String(v)),
  // One rule for variables and literals (filters included): see date-time.ts.
  parseValue: parseDateTime,
  parseLiteral: (ast) => parseDateTime(ast.kind === Kind.STRING ? ast.value : null),
});

builder.scalarType('JSON', {
  description: `Arbitrary JSON (module configuration, attributes): at most ${MAX_JSON_DEPTH} levels deep and ${MAX_JSON_BYTES / 1024} KiB, no NUL characters.`,
  serialize: (v) => v,
  parseValue: checkJsonValue,
  parseLiteral: jsonFromLiteral,
});

builder.scalarType('File', {
  description:
    'A file sent with the request, as the GraphQL multipart request spec says (a `multipart/form-data` POST with `operations`, `map` and the file parts). Input only.',
  // Yoga puts the parsed file into the variables as is; what it is checked where it is used (a JSON value here is no file).
  parseValue: (v) => v,
  serialize: () => {
    throw new Error('File is an input type.');
  },
});

builder.queryType({});
builder.mutationType({});
builder.subscriptionType({});

/** Every typed error a mutation can return: a stable `code` and a human `message`. */
export const ErrorInterface = builder.interfaceRef<DomainError>('Error').implement({
  ...inheritedType,
  fields: (t) => ({
    code: t.exposeString('code', inheritedType),
    message: t.exposeString('message', inheritedType),
  }),
});

builder.objectType(DomainError, {
  name: 'BaseError',
  interfaces: [ErrorInterface],
  ...inheritedType,
});

const FieldIssue = builder.objectRef<{ path: string; message: string }>('FieldIssue').implement({
  ...inheritedType,
  fields: (t) => ({
    path: t.exposeString('path', { ...inheritedType, description: 'Where in the input, e.g. input.email.' }),
    message: t.exposeString('message', inheritedType),
  }),
});

builder.objectType(ValidationError, {
  name: 'ValidationError',
  interfaces: [ErrorInterface],
  ...inheritedType,
  fields: (t) => ({
    fields: t.field({ type: [FieldIssue], ...inheritedType, resolve: (e) => e.fields }),
  }),
});

for (const [cls, name] of [
  [ConflictError, 'ConflictError'],
  [InvalidCredentialsError, 'InvalidCredentialsError'],
  [InvalidTokenError, 'InvalidTokenError'],
] as const) {
  builder.objectType(cls, { name, interfaces: [ErrorInterface], ...inheritedType });
}

builder.objectType(ModuleDependencyError, {
  name: 'ModuleDependencyError',
  interfaces: [ErrorInterface],
  ...inheritedType,
  fields: (t) => ({
    moduleKeys: t.exposeStringList('moduleKeys', { ...inheritedType, description: 'The modules missing, or depending on this one.' }),
  }),
});

builder.objectType(RateLimitedError, {
  name: 'RateLimitedError',
  interfaces: [ErrorInterface],
  ...inheritedType,
  description: 'Too many attempts from this account or address (or too many at once): nothing was done; try again later.',
  fields: (t) => ({
    retryAfter: t.exposeInt('retryAfter', { ...inheritedType, description: 'Seconds to wait before trying again.' }),
  }),
});

/** The typed errors any write may return. */
export const WRITE_ERRORS = [ValidationError, ConflictError];
