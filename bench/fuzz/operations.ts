/**
 * GraphQL documents from the schema: one to three root fields (aliased when
 * more than one), arguments as literals or as variables, selection sets picked
 * from each return type down to a bounded depth, with field arguments, aliases,
 * inline fragments on unions and interfaces, and `__typename`.
 */
import {
  getNamedType,
  isAbstractType,
  isLeafType,
  isObjectType,
  isInterfaceType,
  isInputObjectType,
  isListType,
  isNonNullType,
  type GraphQLArgument,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLNamedType,
  type GraphQLObjectType,
  type GraphQLSchema,
} from 'graphql';
import type { Rng } from './rng.js';
import { EnumValue, type ValueGen } from './values.js';

export type RootKind = 'query' | 'mutation' | 'subscription';

/**
 * Mutations that delete, revoke or replace what the seeded principals stand on (connectIntegration again re-scopes
 * a connection: given the partner's own ids it moved the partner off the reception its canary reads).
 */
export const DESTRUCTIVE =
  /^(delete|revoke|disconnect|connectIntegration|uninstall|disable|remove|archive|transition|reissue|signOut|setIntegrationOperations|configureIntegration)/;

const NAME = /^[_A-Za-z][_0-9A-Za-z]*$/;

/** A JS value as a GraphQL literal. JSON object keys that are not GraphQL names are renamed (only variables carry them as they are). */
export function toLiteral(v: unknown, depth = 0): string {
  // Deeper literals only meet the token limit (2000) sooner; deep JSON goes as a variable too.
  if (v === null || v === undefined || depth > 400) return 'null';
  if (v instanceof EnumValue) return v.name;
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : '0';
  if (typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return `[${v.map((x) => toLiteral(x, depth + 1)).join(', ')}]`;
  if (typeof v === 'object') {
    const fields = Object.entries(v as Record<string, unknown>).map(([k, x], i) => `${NAME.test(k) ? k : `k${i}`}: ${toLiteral(x, depth + 1)}`);
    return `{${fields.join(', ')}}`;
  }
  return 'null';
}

interface Budget {
  fields: number;
}

export interface Built {
  query: string;
  variables: Record<string, unknown>;
  operationName: string;
}

/** One argument value, printed once the whole operation is built (so a plausible request can have one value spoiled first). */
interface PendingArg {
  arg: string;
  type: GraphQLInputType;
  owner: string;
  value: unknown;
  asVariable: boolean;
}

/** A place in an argument's value that can be spoiled: the value itself, an input field, a list item. */
interface Slot {
  type: GraphQLInputType;
  name: string;
  owner: string;
  set(v: unknown): void;
}

/** How a request's values are chosen: all plausible, plausible but one or two spoiled, or adversarial throughout. */
export type ValueMode = 'plausible' | 'one-odd' | 'hostile';

export class OperationBuilder {
  private pending: PendingArg[] = [];
  private asVariables = false;

  constructor(
    private readonly schema: GraphQLSchema,
    private readonly rng: Rng,
    private readonly values: ValueGen,
  ) {}

  rootType(kind: RootKind): GraphQLObjectType {
    const t = kind === 'query' ? this.schema.getQueryType() : kind === 'mutation' ? this.schema.getMutationType() : this.schema.getSubscriptionType();
    if (!t) throw new Error(`schema has no ${kind} type`);
    return t;
  }

  /** One operation on `field` of the root type (plus, for queries and mutations, sometimes one or two more root fields). */
  build(kind: RootKind, field: string, n: number, mode: ValueMode): Built {
    const r = this.rng;
    this.pending = [];
    this.values.hostile = mode === 'hostile';
    // Whole operation in one form or the other mostly, mixed per argument sometimes.
    const form = r.weighted([
      ['literal', 4],
      ['variables', 4],
      ['mixed', 2],
    ] as const);
    this.asVariables = form === 'variables';
    const mixed = form === 'mixed';
    const root = this.rootType(kind);
    const names = [field];
    if (kind !== 'subscription' && r.chance(0.15)) {
      for (let i = r.int(1, 2); i > 0; i--) names.push(r.pick(Object.keys(root.getFields())));
    }
    const maxDepth = r.weighted([
      [2, 3],
      [3, 4],
      [4, 3],
      [6, 1],
    ] as const);
    const budget: Budget = { fields: r.pick([15, 30, 60]) };
    const parts = names.map((name, i) => {
      const f = root.getFields()[name]!;
      const alias = names.length > 1 || r.chance(0.1) ? `r${i}: ` : '';
      return alias + this.field(f, root.name, 1, maxDepth, budget, mixed, DESTRUCTIVE.test(name) && kind === 'mutation');
    });
    if (mode === 'one-odd') this.spoil(r.chance(0.8) ? 1 : 2);

    // Placeholders become literals or variables now that every value is final.
    const vars: { name: string; type: string; value: unknown }[] = [];
    const printed = this.pending.map((p) => {
      if (p.asVariable) {
        const name = `v${vars.length}`;
        vars.push({ name, type: p.type.toString(), value: p.value });
        return `${p.arg}: $${name}`;
      }
      return p.value === undefined ? '' : `${p.arg}: ${toLiteral(p.value)}`;
    });
    const body = parts
      .join(' ')
      // Arguments left without a value go first, with their parentheses if none is left (no user text is in the body yet).
      // eslint-disable-next-line no-control-regex -- \u0001 brackets the placeholders this builder wrote itself
      .replace(/\u0001(\d+)\u0001/g, (m, i: string) => (printed[Number(i)] ? m : ''))
      .replace(/\((?:\s*,)*\s*\)/g, '')
      // eslint-disable-next-line no-control-regex -- the same placeholders
      .replace(/\u0001(\d+)\u0001/g, (_, i: string) => printed[Number(i)]!);
    const operationName = `Fuzz${n}`;
    const defs = vars.length ? `(${vars.map((v) => `$${v.name}: ${v.type}`).join(', ')})` : '';
    const variables: Record<string, unknown> = {};
    for (const v of vars) if (v.value !== undefined) variables[v.name] = v.value;
    return { query: `${kind} ${operationName}${defs} { ${body} }`, variables, operationName };
  }

  /** Replaces `count` values of the pending arguments (at any depth) with adversarial ones. */
  private spoil(count: number): void {
    const slots: Slot[] = [];
    const walk = (value: unknown, type: GraphQLInputType, name: string, owner: string, set: (v: unknown) => void) => {
      slots.push({ type, name, owner, set });
      const t = isNonNullType(type) ? type.ofType : type;
      if (isListType(t) && Array.isArray(value)) {
        value.forEach((item, i) => walk(item, t.ofType, name, owner, (v) => (value[i] = v)));
      } else if (isInputObjectType(t) && value && typeof value === 'object') {
        const obj = value as Record<string, unknown>;
        for (const f of Object.values(t.getFields())) {
          // Absent optional fields are slots too: a bad value where the client usually sends none.
          if (f.name in obj || this.rng.chance(0.3)) walk(obj[f.name], f.type, f.name, t.name, (v) => (obj[f.name] = v));
        }
      }
    };
    for (const p of this.pending) walk(p.value, p.type, p.arg, p.owner, (v) => (p.value = v));
    // Values that reach storage or pagination unchanged are where bad input hurts: spoil them more often.
    const weight = (slot: Slot) => {
      const scalar = getNamedType(slot.type).name;
      if (scalar === 'JSON') return 6;
      if (scalar === 'DateTime' || slot.name === 'after' || slot.name === 'before') return 3;
      if (slot.name === 'first' || slot.name === 'last') return 2;
      return scalar === 'ID' ? 1.5 : 1;
    };
    const weighted = slots.map((slot) => [slot, weight(slot)] as const);
    for (let i = 0; i < count && slots.length; i++) {
      const slot = this.rng.weighted(weighted);
      slot.set(this.values.oddValue(slot.type, slot.name, slot.owner));
    }
  }

  private args(args: readonly GraphQLArgument[], owner: string, mixed: boolean, destructive: boolean): string {
    const r = this.rng;
    const out: string[] = [];
    const given = new Set<string>();
    for (const a of args) {
      const required = a.type.toString().endsWith('!') && a.defaultValue === undefined;
      if (!required && !r.chance(0.5)) continue;
      // A well-behaved client pages one way: first/after or last/before.
      if (!this.values.hostile && ((a.name === 'last' && given.has('first')) || (a.name === 'before' && given.has('after')))) continue;
      given.add(a.name);
      const value = this.values.value(a.type, a.name, owner, { destructive });
      const asVariable = mixed ? r.chance(0.5) : this.asVariables;
      out.push(`\u0001${this.pending.length}\u0001`);
      this.pending.push({ arg: a.name, type: a.type, owner, value, asVariable });
    }
    return out.length ? `(${out.join(', ')})` : '';
  }

  private field(
    f: GraphQLField<unknown, unknown>,
    owner: string,
    depth: number,
    maxDepth: number,
    budget: Budget,
    mixed: boolean,
    destructive: boolean,
  ): string {
    budget.fields--;
    // Arguments are named after their owner for guessing id types: a root field by itself and what it returns (`event` → `EventEvent`).
    const named = getNamedType(f.type).name;
    const args = this.args(f.args, depth === 1 ? f.name[0]!.toUpperCase() + f.name.slice(1) + named : owner, mixed, destructive);
    const sel = this.selection(getNamedType(f.type), depth, maxDepth, budget, mixed);
    return `${f.name}${args}${sel}`;
  }

  private selection(t: GraphQLNamedType, depth: number, maxDepth: number, budget: Budget, mixed: boolean): string {
    const r = this.rng;
    if (isLeafType(t)) return '';
    if (isAbstractType(t)) {
      const parts = ['__typename'];
      const possible = this.schema.getPossibleTypes(t);
      // Mutation results are unions of payload | errors: usually ask for the payload and the common error fields.
      for (const p of r.sample(possible, r.int(1, Math.min(4, possible.length)))) {
        const inner = this.selection(p, depth, maxDepth, budget, mixed);
        if (inner) parts.push(`... on ${p.name} ${inner}`);
      }
      if (isInterfaceType(t) && r.chance(0.5)) parts.push(this.objectFields(t, depth, maxDepth, budget, mixed) ?? '');
      return ` { ${parts.join(' ')} }`;
    }
    if (isObjectType(t) || isInterfaceType(t)) {
      const inner = this.objectFields(t, depth, maxDepth, budget, mixed);
      return ` { ${inner ?? '__typename'} }`;
    }
    return '';
  }

  private objectFields(
    t: GraphQLObjectType | import('graphql').GraphQLInterfaceType,
    depth: number,
    maxDepth: number,
    budget: Budget,
    mixed: boolean,
  ): string | null {
    const r = this.rng;
    const fields = Object.values(t.getFields());
    const leaves = fields.filter((f) => isLeafType(getNamedType(f.type)));
    const nested = fields.filter((f) => !isLeafType(getNamedType(f.type)));
    const picked: GraphQLField<unknown, unknown>[] = r.sample(leaves, r.int(1, Math.min(4, leaves.length || 1)));
    // `id` (and cursors, below) feed the id pools, so ask for them often.
    const id = t.getFields()['id'];
    if (id && !picked.includes(id) && r.chance(0.7)) picked.push(id);
    if (depth < maxDepth && budget.fields > 0) picked.push(...r.sample(nested, r.int(0, Math.min(3, nested.length))));
    const out: string[] = [];
    for (const f of picked) {
      if (budget.fields <= 0 && out.length) break;
      const alias = r.chance(0.06) ? `a${r.int(0, 99)}_${f.name}: ` : '';
      out.push(alias + this.field(f, t.name, depth + 1, maxDepth, budget, mixed, false));
      // The same field twice under another alias, with other arguments.
      if (f.args.length && r.chance(0.05))
        out.push(`b${r.int(0, 99)}_${f.name}: ` + this.field(f, t.name, depth + 1, maxDepth, budget, mixed, false));
    }
    if (t.name.endsWith('Connection') && r.chance(0.6)) out.push('pageInfo { endCursor startCursor hasNextPage hasPreviousPage }');
    if (t.name.endsWith('Edge') && r.chance(0.6)) out.push('cursor');
    return out.length ? [...new Set(out)].join(' ') : null;
  }
}
