import { readdirSync, readFileSync } from 'node:fs';
import { join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type GraphQLField, type GraphQLObjectType, isObjectType } from 'graphql';
import { describe, expect, it } from 'vitest';
import { printSchemaFile } from '../../../src/interfaces/graphql/print.js';
import { RULE_DIRECTIVES } from '../../../src/kit/rules.js';
import { buildSchema } from '../../../src/interfaces/graphql/schema.js';

/**
 * Deny by default lives here: every field of every object type must carry a
 * rule that scope-auth enforces (its own `authScopes`, or its type's) and that
 * schema.graphql prints (exactly one rule directive).
 */

type Directives = Record<string, Record<string, unknown>>;
interface PothosOptions {
  authScopes?: unknown;
  directives?: Directives;
}

const schema = buildSchema();
const ROOT_TYPES = new Set([schema.getQueryType()?.name, schema.getMutationType()?.name, schema.getSubscriptionType()?.name].filter(Boolean));

const objectTypes = Object.values(schema.getTypeMap()).filter((t): t is GraphQLObjectType => isObjectType(t) && !t.name.startsWith('__'));
const pothosOptions = (x: { extensions?: unknown }): PothosOptions =>
  (x.extensions as { pothosOptions?: PothosOptions } | undefined)?.pothosOptions ?? {};
const printedDirectives = (f: GraphQLField<unknown, unknown>): Directives =>
  (f.extensions as { directives?: Directives } | undefined)?.directives ?? {};
const ruleNames = (d: Directives) => Object.keys(d).filter((n) => (RULE_DIRECTIVES as readonly string[]).includes(n));

interface FieldInfo {
  coordinate: string;
  type: GraphQLObjectType;
  field: GraphQLField<unknown, unknown>;
}
const allFields: FieldInfo[] = objectTypes.flatMap((type) =>
  Object.values(type.getFields()).map((field) => ({ coordinate: `${type.name}.${field.name}`, type, field })),
);

/** The rule a scope-auth `authScopes` value enforces, as the directive that should print it. */
function expectedDirectiveFor(authScopes: unknown): string[] {
  if (typeof authScopes === 'function') return ['auth', 'self'];
  const keys = Object.keys(authScopes as object);
  if (keys.length === 1 && (authScopes as Record<string, unknown>).public === true) return ['public', 'inherited'];
  if (keys.length === 1 && (authScopes as Record<string, unknown>).authenticated === true) return ['authenticated'];
  if (keys.length === 1 && (authScopes as Record<string, unknown>).guest === true) return ['guest'];
  if (keys.length === 1 && (authScopes as Record<string, unknown>).guestPortal === true) return ['guestPortal'];
  if (keys.length === 1 && (authScopes as Record<string, unknown>).counterpart === true) return ['counterpart'];
  return [];
}

describe('schema rules: every field is guarded and shows its rule', () => {
  it('the schema has the types this test is about (sanity)', () => {
    expect(objectTypes.length).toBeGreaterThan(40);
    expect(allFields.length).toBeGreaterThan(200);
    expect(ROOT_TYPES).toEqual(new Set(['Query', 'Mutation', 'Subscription']));
  });

  it('every object-type field has an enforced rule: its own authScopes or its type’s', () => {
    const unguarded = allFields
      .filter(({ type, field }) => pothosOptions(field).authScopes === undefined && pothosOptions(type).authScopes === undefined)
      .map((f) => f.coordinate);
    expect(unguarded).toEqual([]);
  });

  it('every object-type field prints exactly one rule directive', () => {
    const bad = allFields
      .map(({ coordinate, field }) => ({ coordinate, rules: ruleNames(printedDirectives(field)) }))
      .filter((f) => f.rules.length !== 1)
      .map((f) => `${f.coordinate}: [${f.rules.join(', ')}]`);
    expect(bad).toEqual([]);
  });

  it('Query, Mutation and Subscription fields carry their own rule (nothing is inherited at the root)', () => {
    const bad = allFields
      .filter(({ type }) => ROOT_TYPES.has(type.name))
      .filter(({ field }) => {
        const own = pothosOptions(field);
        const rules = ruleNames(own.directives ?? {});
        return own.authScopes === undefined || rules.length !== 1 || rules[0] === 'inherited';
      })
      .map((f) => f.coordinate);
    expect(bad).toEqual([]);
    // The root types themselves add nothing a field could fall back on.
    for (const name of ROOT_TYPES) expect(pothosOptions(schema.getType(name!)!).authScopes).toBeUndefined();
  });

  it('the printed rule is the enforced one: own rule for fields with authScopes, the type’s rule otherwise', () => {
    const mismatches: string[] = [];
    for (const { coordinate, type, field } of allFields) {
      const own = pothosOptions(field);
      const source = own.authScopes !== undefined ? own : pothosOptions(type);
      const printed = printedDirectives(field);
      const printedRule = ruleNames(printed)[0];
      const declaredRules = ruleNames(source.directives ?? {});
      // The directive comes from the same rule helper as the authScopes (rules.ts): same name, same args.
      if (printedRule === undefined || declaredRules.length !== 1 || declaredRules[0] !== printedRule) {
        mismatches.push(`${coordinate}: enforced-by ${declaredRules.join(',') || 'nothing'}, printed ${printedRule}`);
        continue;
      }
      if (JSON.stringify(printed[printedRule]) !== JSON.stringify(source.directives![printedRule])) {
        mismatches.push(
          `${coordinate}: printed ${JSON.stringify(printed[printedRule])} ≠ declared ${JSON.stringify(source.directives![printedRule])}`,
        );
      }
      // And the directive names the kind of check actually run.
      if (!expectedDirectiveFor(source.authScopes).includes(printedRule)) {
        mismatches.push(
          `${coordinate}: @${printedRule} printed over authScopes ${typeof source.authScopes === 'function' ? 'function' : JSON.stringify(source.authScopes)}`,
        );
      }
    }
    expect(mismatches).toEqual([]);
  });

  it('every @auth names a registered action, in its rule and in alsoChecks', async () => {
    const { actionRegistry } = await import('../../../src/modules/registry.js');
    const unknown = allFields
      .map(({ coordinate, field }): { coordinate: string; auth?: { action?: string; alsoChecks?: string[] } } => ({
        coordinate,
        auth: printedDirectives(field).auth,
      }))
      .flatMap((f) => (f.auth ? [f.auth.action ?? '', ...(f.auth.alsoChecks ?? [])].map((action) => ({ coordinate: f.coordinate, action })) : []))
      .filter((f) => !actionRegistry.isAction(f.action))
      .map((f) => `${f.coordinate}: ${f.action}`);
    expect(unknown).toEqual([]);
  });
});

describe('in-body checks are declared where schema.graphql shows them', () => {
  const srcRoot = fileURLToPath(new URL('../../../src/', import.meta.url));
  const schemaFiles = readdirSync(srcRoot, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.schema.ts'))
    .map((f) => f.split(sep).join('/'))
    .sort();

  it('finds the resolver files (sanity)', () => {
    expect(schemaFiles).toContain('modules/rsvp/import/guest-list.schema.ts');
    expect(schemaFiles.length).toBeGreaterThan(20);
  });

  it('no resolver asks the engine directly: extra actions go through declaredChecks(rule, ctx), which takes only the rule’s alsoChecks', () => {
    const direct: string[] = [];
    for (const file of schemaFiles) {
      readFileSync(join(srcRoot, file), 'utf8')
        .split('\n')
        .forEach((line, i) => {
          // A subscription re-deciding its own rule before each message (liveStream's authorize) checks nothing new.
          if (/\bauthorize:\s*\(\)\s*=>\s*ctx\.authz\.check\(/.test(line)) return;
          if (/\bauthz\s*\.\s*(assert|can|check)\s*\(/.test(line)) direct.push(`src/${file}:${i + 1}: ${line.trim()}`);
        });
    }
    expect(direct).toEqual([]);
  });
});

describe('schema.graphql', () => {
  it('on disk equals the schema printed from code (run `npm run schema:print` after changing a rule)', () => {
    const onDisk = readFileSync(fileURLToPath(new URL('../../../schema.graphql', import.meta.url)), 'utf8');
    // Not toBe on the whole file: a failure should show the differing lines, not two 900-line strings.
    expect(onDisk.split('\n')).toEqual(printSchemaFile(buildSchema()).split('\n'));
  });

  it('lists every root field with its rule (a diff here is a permission change)', async () => {
    const line = (typeName: string, field: GraphQLField<unknown, unknown>) => {
      const [rule] = ruleNames(printedDirectives(field));
      const args = printedDirectives(field)[rule!] ?? {};
      const printedArgs = Object.keys(args).length
        ? `(${Object.entries(args)
            .map(([k, v]) => `${k}: ${k === 'scope' ? String(v) : JSON.stringify(v)}`)
            .join(', ')})`
        : '';
      return `${`${typeName}.${field.name}`.padEnd(42)} @${rule}${printedArgs}`;
    };
    const lines = [...ROOT_TYPES].sort().flatMap((name) => {
      const type = schema.getType(name!) as GraphQLObjectType;
      return Object.values(type.getFields())
        .sort((a, b) => a.name.localeCompare(b.name))
        .map((f) => line(type.name, f));
    });
    expect(lines).toContain(`${'Mutation.createEvent'.padEnd(42)} @auth(action: "event:create", scope: OCCASION)`);
    await expect(lines.join('\n') + '\n').toMatchFileSnapshot('./__snapshots__/root-field-rules.txt');
  });
});
