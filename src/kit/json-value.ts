import { GraphQLError, Kind, type ValueNode } from 'graphql';

/**
 * Limits on the JSON scalar (module settings, integration config and mapping,
 * answers, attributes): all small documents a person or a partner writes. A
 * value nested deeper than MAX_JSON_DEPTH overflowed the stack on its way to
 * the database (5,000 levels did), one larger than MAX_JSON_BYTES belongs in
 * an asset, and PostgreSQL cannot store U+0000 in `jsonb` text at any depth.
 * Each is refused as BAD_USER_INPUT before anything runs.
 */
export const MAX_JSON_DEPTH = 32;
export const MAX_JSON_BYTES = 64 * 1024;

const refuse = (message: string) => new GraphQLError(`JSON ${message}`, { extensions: { code: 'BAD_USER_INPUT' } });
const NUL = '\u0000';

/** Checks a value from variables. Iterative, so no input can exhaust the stack while being checked. */
export function checkJsonValue(value: unknown): unknown {
  let bytes = 0;
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length) {
    const [v, depth] = stack.pop()!;
    if (typeof v === 'string') {
      if (v.includes(NUL)) throw refuse('text may not contain the NUL character (U+0000).');
      bytes += v.length + 2;
    } else if (v === null || typeof v === 'boolean') bytes += 5;
    else if (typeof v === 'number') {
      // Only reachable through a literal (JSON bodies cannot carry NaN or Infinity), and jsonb cannot store either.
      if (!Number.isFinite(v)) throw refuse('numbers must be finite.');
      bytes += 24;
    } else if (typeof v === 'object') {
      if (depth >= MAX_JSON_DEPTH) throw refuse(`is nested more than ${MAX_JSON_DEPTH} levels deep.`);
      if (Array.isArray(v)) {
        bytes += 2 + v.length;
        for (const item of v) stack.push([item, depth + 1]);
      } else {
        for (const [k, item] of Object.entries(v as Record<string, unknown>)) {
          if (k.includes(NUL)) throw refuse('keys may not contain the NUL character (U+0000).');
          bytes += k.length + 4;
          stack.push([item, depth + 1]);
        }
        bytes += 2;
      }
    } else throw refuse(`cannot hold a ${typeof v}.`);
    // Counted in UTF-16 units as it goes, so a huge value stops early; the exact UTF-8 size is checked below.
    if (bytes > MAX_JSON_BYTES) throw refuse(`is larger than ${MAX_JSON_BYTES} bytes.`);
  }
  if (Buffer.byteLength(JSON.stringify(value)) > MAX_JSON_BYTES) throw refuse(`is larger than ${MAX_JSON_BYTES} bytes.`);
  return value;
}

/**
 * A literal in the query text becomes a value with the same rules. Built
 * iteratively as well (graphql-js's valueFromASTUntyped recurses), and a
 * `$variable` inside the literal takes its value from the request's variables.
 */
export function jsonFromLiteral(ast: ValueNode, variables?: Record<string, unknown> | null): unknown {
  const root: { value?: unknown } = {};
  const stack: { node: ValueNode; depth: number; set: (v: unknown) => void }[] = [{ node: ast, depth: 0, set: (v) => (root.value = v) }];
  while (stack.length) {
    const { node, depth, set } = stack.pop()!;
    if (depth > MAX_JSON_DEPTH) throw refuse(`is nested more than ${MAX_JSON_DEPTH} levels deep.`);
    switch (node.kind) {
      case Kind.NULL:
        set(null);
        break;
      case Kind.INT:
      case Kind.FLOAT:
        set(Number(node.value));
        break;
      case Kind.STRING:
      case Kind.ENUM:
        set(node.value);
        break;
      case Kind.BOOLEAN:
        set(node.value);
        break;
      case Kind.VARIABLE:
        set(variables?.[node.name.value] ?? null);
        break;
      case Kind.LIST: {
        const list: unknown[] = new Array(node.values.length);
        set(list);
        node.values.forEach((child, i) => stack.push({ node: child, depth: depth + 1, set: (v) => (list[i] = v) }));
        break;
      }
      case Kind.OBJECT: {
        const obj: Record<string, unknown> = {};
        set(obj);
        // defineProperty, not assignment: a key named __proto__ stays a key instead of replacing the prototype.
        const define = (k: string, v: unknown) => Object.defineProperty(obj, k, { value: v, enumerable: true, writable: true, configurable: true });
        for (const f of node.fields) stack.push({ node: f.value, depth: depth + 1, set: (v) => define(f.name.value, v) });
        break;
      }
    }
  }
  return checkJsonValue(root.value);
}
