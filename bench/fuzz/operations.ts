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
  type GraphQLArgument,
  type GraphQLField,
  type GraphQLNamedType,
  type GraphQLObjectType,
  type GraphQLSchema,
} from 'graphql';
import type { Rng } from './rng.js';
import { EnumValue, type ValueGen } from './values.js';

export type RootKind = 'query' | 'mutation' | 'subscription';

/** Mutations that delete, revoke or replace what the seeded principals stand on. */
export const DESTRUCTIVE = /^(delete|revoke|disconnect|uninstall|disable|remove|archive|transition|reissue|signOut|setIntegrationOperations|configureIntegration)/;

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

export class OperationBuilder {
  private vars: { name: string; type: string; value: unknown }[] = [];
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
  build(kind: RootKind, field: string, n: number): Built {
    const r = this.rng;
    this.vars = [];
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
    const operationName = `Fuzz${n}`;
    const defs = this.vars.length ? `(${this.vars.map((v) => `$${v.name}: ${v.type}`).join(', ')})` : '';
    const variables: Record<string, unknown> = {};
    for (const v of this.vars) if (v.value !== undefined) variables[v.name] = v.value;
    return { query: `${kind} ${operationName}${defs} { ${parts.join(' ')} }`, variables, operationName };
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
      if (asVariable) {
        const name = `v${this.vars.length}`;
        this.vars.push({ name, type: a.type.toString(), value });
        out.push(`${a.name}: $${name}`);
      } else if (value !== undefined) {
        out.push(`${a.name}: ${toLiteral(value)}`);
      }
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
      if (f.args.length && r.chance(0.05)) out.push(`b${r.int(0, 99)}_${f.name}: ` + this.field(f, t.name, depth + 1, maxDepth, budget, mixed, false));
    }
    if (t.name.endsWith('Connection') && r.chance(0.6)) out.push('pageInfo { endCursor startCursor hasNextPage hasPreviousPage }');
    if (t.name.endsWith('Edge') && r.chance(0.6)) out.push('cursor');
    return out.length ? [...new Set(out)].join(' ') : null;
  }
}
