/**
 * Argument values: typed and mostly plausible (real ids of the seeded occasions,
 * real cursors, valid enum values), mixed with the adversarial values an attacker
 * or a broken client sends. Which value a type gets is decided here; how it is
 * written (literal or variable) is the operation builder's business.
 */
import { isEnumType, isInputObjectType, isListType, isNonNullType, isScalarType, type GraphQLInputType } from 'graphql';
import type { IdPools } from './pools.js';
import type { Rng } from './rng.js';

/** An enum value: a bare name as a literal, a string in variables. */
export class EnumValue {
  constructor(readonly name: string) {}
  toJSON() {
    return this.name;
  }
}

const b64 = (s: string) => Buffer.from(s).toString('base64');
const b64url = (s: string) => Buffer.from(s).toString('base64url');

/** Cursors that look like the app's own (base64 "GPC:S:…" etc.) but are not. */
export const FORGED_CURSORS = [
  'R1BDOlM6enp6', // GPC:S:zzz
  b64('GPC:S:'),
  b64('GPC:N:-1'),
  b64('GPC:N:99999999999999999999'),
  b64('GPC:J:{"id":"x"}'),
  b64('GPC:J:[1,2'),
  b64('GPC:D:0000-01-01'),
  b64('GPC:S:\u0000'),
  b64('arrayconnection:-5'),
  b64('arrayconnection:1e308'),
  b64url('GPC:S:' + 'z'.repeat(300)),
  'not-a-cursor',
  '',
  '%%%',
  '====',
  'A'.repeat(5000),
];

/** Global ids that must never reach a database column. */
export function malformedIds(rng: Rng): string[] {
  return [
    '',
    'x',
    'null',
    '0',
    '-1',
    b64url('Event:'),
    b64url(':' + rng.uuid()),
    b64url('Event:not-a-uuid'),
    b64url('Event:' + rng.uuid() + '\u0000'),
    b64url('AuditEntry:99999999999999999999'),
    b64url('AuditEntry:-1'),
    b64url('Ev ent:' + rng.uuid()),
    b64url('Event:' + rng.uuid()).slice(0, -2),
    rng.uuid(), // a raw uuid, not a global id
    b64url('Event:' + rng.uuid()) + '\u0000',
    'A'.repeat(250),
    b64url('Évent:' + rng.uuid()),
    '../../etc/passwd',
    "' OR 1=1 --",
  ];
}

export const DATETIMES_ODD = [
  '0000-01-01T00:00:00Z',
  '-100000-01-01T00:00:00Z',
  '+275760-09-13T00:00:00Z',
  '+275760-09-13T00:00:00.001Z',
  '9999-12-31T23:59:59.999Z',
  '10000-01-01T00:00:00Z',
  '0001-01-01T00:00:00Z',
  '1969-12-31T23:59:59Z',
  '2027-02-30T00:00:00Z',
  '2027-06-10',
  '2027-06-10T25:61:00Z',
  '2027-06-10T18:00:00+14:00',
  '2027-06-10T18:00:00-23:59',
  'not a date',
  '',
  '\u0000',
];

const STRINGS_ODD = [
  '',
  ' ',
  'a\u0000b',
  '\u0000',
  '\u202eevil',
  '😀'.repeat(50),
  "' OR 1=1 --",
  '%_\\',
  '<script>alert(1)</script>',
  '{"a":1}',
  '\ud800', // a lone surrogate
  '\r\n\t',
];

const ACTIONS_ODD = ['', 'nope', 'event:', ':read', 'event:read:extra', '*', '*:*', 'EVENT:READ', 'a'.repeat(300)];
const ROLES = ['owner', 'planner', 'co_planner', 'helper', 'vendor', 'viewer', 'rsvp_manager'];
const MODULES = ['rsvp', 'forms'];
const TIMEZONES = ['Asia/Jerusalem', 'UTC', 'Europe/Paris', 'Mars/Olympus', '', '+25:00'];
const URLS = [
  'https://receiver.example.com/hook',
  'http://127.0.0.1:1/hook',
  'http://169.254.169.254/latest/meta-data',
  'http://[::1]/',
  'javascript:alert(1)',
  'file:///etc/passwd',
  'https://' + 'a'.repeat(2100) + '.com/',
  'not a url',
];
const CSVS = [
  'household,name,role,email,phone,tags,events\nThe Fuzz family,Fuzz Person,HEAD,fuzz@example.com,,friends,Reception dinner\n',
  'household,name\n' + 'x,y\n'.repeat(500),
  'name\n"unterminated',
  '\u0000,\u0000\n\u0000,\u0000',
  '',
  'household,name,role\nA,B,KING\n',
  'household,name,events\nA,B,' + 'nope;'.repeat(100) + '\n',
];

const DEEP = /"\\u0002deep:(\d+):(nul)?\\u0002"/g;

/** A JSON value nested `depth` deep, as a string the sender replaces in the serialized body (see {@link expandDeepJson}). */
export function deepJsonPlaceholder(depth: number, nul: boolean): string {
  return `\u0002deep:${depth}:${nul ? 'nul' : ''}\u0002`;
}

/** Replaces deep-JSON placeholders in a serialized body with the nested JSON text itself. */
export function expandDeepJson(body: string): string {
  return body.replace(DEEP, (_, depth: string, nul?: string) => {
    const n = Number(depth);
    return '{"a":'.repeat(n) + (nul ? '"bottom\\u0000"' : '"bottom"') + '}'.repeat(n);
  });
}

/** What the generator knows about the world: ids, cursors, tokens, catalog names. */
export interface Knowledge {
  pools: IdPools;
  actions: string[];
  eventTypes: string[];
  documentIds: string[];
  /** Node typenames of the schema, for guessing what an `xxxId` argument wants. */
  nodeTypes: string[];
}

const ID_ALIASES: Record<string, string> = {
  unit: 'Actor',
  subject: 'Actor',
  primaryActor: 'Actor',
  participant: 'Actor',
  member: 'Actor',
  group: 'Actor',
  to: 'Actor',
  from: 'Actor',
  target: 'Actor',
  integration: 'IntegrationApp',
  installation: 'ModuleInstallation',
  enablement: 'ModuleEnablement',
  connection: 'IntegrationConnection',
  credential: 'IntegrationCredential',
  delivery: 'WebhookDelivery',
  field: 'FormField',
  invitation: 'RsvpInvitation',
  response: 'RsvpResponse',
  submission: 'FormSubmission',
};

export class ValueGen {
  /** Off: every value is one a well-behaved client could send (so requests get deep); on: adversarial values mixed in. */
  hostile = true;
  /** Set while generating the one adversarial value of an otherwise plausible request ({@link oddValue}). */
  private always = false;

  constructor(
    private readonly rng: Rng,
    private readonly k: Knowledge,
  ) {}

  /** Only when hostile: rolls the dice for an adversarial value. */
  private odd(p: number): boolean {
    return this.always || (this.hostile && this.rng.chance(p));
  }

  /**
   * An adversarial value for one argument or input field of an otherwise plausible request,
   * so the bad value is the only thing standing between the request and the resolver.
   */
  oddValue(type: GraphQLInputType, name: string, owner: string): unknown {
    const r = this.rng;
    const t = isNonNullType(type) ? type.ofType : type;
    if (r.chance(0.06)) return isNonNullType(type) && r.chance(0.5) ? undefined : null;
    if (isListType(t)) {
      if (r.chance(0.5)) return this.oddValue(t.ofType, name, owner);
      return r.chance(0.5) ? [] : Array.from({ length: 60 }, () => this.value(t.ofType, name, owner, { destructive: true }));
    }
    if (isEnumType(t)) return new EnumValue(r.pick(['NOPE', t.getValues()[0]!.name.toLowerCase(), 'ALL']));
    if (isInputObjectType(t)) return r.pick([{}, { unknownField: 1 }, 'not an object']);
    if (!isScalarType(t)) return null;
    this.always = true;
    try {
      return this.scalar(t.name, name, owner, { destructive: true });
    } finally {
      this.always = false;
    }
  }

  /** The node type an id argument most likely wants, from its name (`eventIds` → Event) or its input type (`DeleteTagInput.id` → Tag). */
  idTypeFor(name: string, owner: string): string | undefined {
    const stem = name.replace(/Ids?$/, '');
    if (stem && stem !== 'id') {
      if (ID_ALIASES[stem]) return ID_ALIASES[stem];
      const cap = stem[0]!.toUpperCase() + stem.slice(1);
      if (this.k.nodeTypes.includes(cap)) return cap;
      return this.k.nodeTypes.find((t) => t.endsWith(cap));
    }
    // `id` of an input or root field: the longest node typename inside the owner's name.
    return [...this.k.nodeTypes].sort((a, b) => b.length - a.length).find((t) => owner.includes(t));
  }

  /** A value for an input type. `name` and `owner` (field and type or root-field name) steer strings and ids. */
  value(type: GraphQLInputType, name: string, owner: string, ctx: { destructive: boolean; depth?: number }): unknown {
    const r = this.rng;
    const depth = ctx.depth ?? 0;
    if (isNonNullType(type)) {
      // Rarely break the contract: null or nothing where a value is required (the builder drops `undefined`).
      if (this.odd(0.015)) return r.chance(0.5) ? null : undefined;
      return this.value(type.ofType, name, owner, ctx);
    }
    if (this.odd(0.04)) return null;
    if (isListType(type)) {
      const n = r.weighted([
        [0, 2],
        [1, 5],
        [2, 3],
        [3, 2],
        [60, depth || !this.hostile ? 0 : 0.4],
      ] as const);
      // A list-typed argument also accepts a single value (input coercion); sometimes send one.
      if (this.odd(0.05)) return this.value(type.ofType, name, owner, ctx);
      return Array.from({ length: n }, () => this.value(type.ofType, name, owner, { ...ctx, depth: depth + 1 }));
    }
    if (isEnumType(type)) {
      if (this.odd(0.06)) return new EnumValue(r.pick(['NOPE', type.getValues()[0]!.name.toLowerCase(), 'ALL']));
      return new EnumValue(r.pick(type.getValues()).name);
    }
    if (isInputObjectType(type)) {
      if (depth > 5) return null;
      const out: Record<string, unknown> = {};
      for (const f of Object.values(type.getFields())) {
        const required = isNonNullType(f.type) && f.defaultValue === undefined;
        if (!required && !r.chance(0.45)) continue;
        const v = this.value(f.type, f.name, type.name, { ...ctx, depth: depth + 1 });
        if (v !== undefined) out[f.name] = v;
      }
      if (this.odd(0.02)) out['unknownField'] = 1;
      return out;
    }
    if (isScalarType(type)) return this.scalar(type.name, name, owner, ctx);
    return null;
  }

  scalar(scalar: string, name: string, owner: string, ctx: { destructive: boolean }): unknown {
    const r = this.rng;
    switch (scalar) {
      case 'ID':
        return this.id(name, owner, ctx.destructive);
      case 'Int':
        return this.int(name);
      case 'Float':
        return this.odd(0.5) ? r.pick([1e308, Number.MIN_VALUE, -1, 0]) : r.pick([1.5, 42]);
      case 'Boolean':
        return this.odd(0.03) ? r.pick(['true', 1, 0]) : r.chance(0.5);
      case 'DateTime':
        return this.dateTime();
      case 'JSON':
        return this.json();
      default:
        return this.string(name);
    }
  }

  /** Pagination sizes and other counts: plausible, then the edges. */
  int(name: string): unknown {
    const r = this.rng;
    if (!this.odd(name === 'first' || name === 'last' ? 0.4 : 0.3)) return r.int(0, name === 'position' ? 5 : 20);
    return r.pick([-1, -2147483648, 2147483647, 1000, 100_000, 2147483648, 1e20, 1.5, '10', 0]);
  }

  id(name: string, owner: string, destructive: boolean): unknown {
    const r = this.rng;
    const pools = this.k.pools;
    const want = this.idTypeFor(name, owner);
    const roll = this.always ? 0.7 + 0.3 * r.next() : this.hostile ? r.next() : 0;
    if (roll < 0.7) {
      const hit = pools.pick(r, want, { destructive });
      if (hit) return hit;
    }
    if (roll < 0.8) return pools.pick(r, undefined, { destructive }) ?? r.uuid();
    if (roll < 0.87) return b64url(`${want ?? 'Event'}:${r.uuid()}`);
    if (roll < 0.9) return r.chance(0.5) ? 12345 : '';
    return r.pick(malformedIds(r));
  }

  dateTime(): string | number {
    const r = this.rng;
    if (!this.odd(0.3)) return new Date(Date.UTC(2027, r.int(0, 11), r.int(1, 28), r.int(0, 23), r.int(0, 59))).toISOString();
    // Years out of range first: they pass the scalar and meet the database or Date arithmetic.
    if (r.chance(0.6)) return r.pick(DATETIMES_ODD.slice(0, 6));
    return r.chance(0.9) ? r.pick(DATETIMES_ODD) : r.pick([0, 1e20]);
  }

  string(name: string): string {
    const r = this.rng;
    const k = this.k;
    const generic = () => r.pick([...STRINGS_ODD, 'x'.repeat(r.pick([256, 10_001, 100_000]))]);
    if (!this.always && this.odd(0.12)) return generic();
    if (this.always && r.chance(0.25)) return generic();
    switch (name) {
      case 'after':
      case 'before':
        return !this.odd(0.5) && k.pools.cursors.length ? r.pick(k.pools.cursors) : r.pick(FORGED_CURSORS);
      case 'action':
      case 'actions':
        return !this.odd(0.2) ? r.pick(k.actions) : r.pick(ACTIONS_ODD);
      case 'role':
        return !this.odd(0.15) ? r.pick(ROLES) : r.pick(['OWNER', 'god', '']);
      case 'moduleKey':
        return !this.odd(0.15) ? r.pick(MODULES) : r.pick(['seating', 'RSVP', '../rsvp']);
      case 'eventType':
      case 'eventTypes':
        return !this.odd(0.15) && k.eventTypes.length ? r.pick(k.eventTypes) : r.pick(['rsvp.*', '*', 'nope.happened', 'webhook.test']);
      case 'documentId':
      case 'operationIds':
        return !this.odd(0.25) ? r.pick(k.documentIds) : r.pick(['sha256:' + '0'.repeat(64), 'sha256:', 'md5:abc', '0'.repeat(64)]);
      case 'email':
        return this.choose(
          ['fuzz-' + r.int(0, 1e6) + '@example.com', 'planner@demo.tovplus.test'],
          ['not-an-email', 'a@b', 'x'.repeat(300) + '@example.com'],
        );
      case 'password':
        return this.choose(['fuzz-password-long-enough', 'demo-planner-2027'], ['short', 'x'.repeat(10_000), 'password']);
      case 'timezone':
        return this.choose(TIMEZONES.slice(0, 3), TIMEZONES.slice(3));
      case 'defaultLocale':
        return this.choose(['en', 'he-IL'], ['xx-INVALID', '']);
      case 'url':
        return this.choose(URLS.slice(0, 1), URLS.slice(1));
      case 'csv':
        return this.choose(CSVS.slice(0, 1), CSVS.slice(1));
      case 'token':
      case 'refreshToken':
        return r.pick(['tovg_' + 'x'.repeat(40), 'tovc_' + r.uuid(), 'eyJhbGciOiJub25lIn0.e30.', '']);
      case 'color':
        return this.choose(['#ff0000'], ['red', '#GGGGGG']);
      case 'phone':
        return this.choose(['+972-50-000-0000'], ['0', 'phone']);
      case 'search':
        return this.choose(['Levi', 'wedding'], ['%', '_', '\\', 'a\u0000', '']);
      case 'kind':
        return this.always ? generic() : r.pick(['spouse', 'parent', 'WEDDING', 'x']);
      default:
        return this.always ? generic() : r.pick(['Fuzz ' + r.int(0, 9999), 'Reception dinner', 'fish', 'meal', 'x', 'The Levi family']);
    }
  }

  private choose<T>(valid: readonly T[], odd: readonly T[]): T {
    return this.odd(0.3) ? this.rng.pick(odd) : this.rng.pick(valid);
  }

  /** JSON scalar values: small objects mostly, then deep, wide, NUL-laden and number-edge ones. */
  json(): unknown {
    const r = this.rng;
    if (!this.hostile) return { reference: 'fuzz', n: r.int(0, 5) };
    const shape = r.weighted([
      ['small', this.always ? 0 : 6],
      ['deep', this.always ? 3 : 1.5],
      ['wide', 1],
      ['nul', 1],
      ['scalar', 1],
    ] as const);
    switch (shape) {
      case 'small':
        return { reference: 'fuzz', notes: r.pick(['a', '', 'x'.repeat(1000)]), n: r.int(-5, 5), nested: { ok: r.chance(0.5) } };
      case 'deep': {
        // Past 2,500 JSON.stringify overflows: deeper values travel as a placeholder the sender expands in the body text.
        const depth = r.chance(0.5) ? r.pick([10_000, 100_000]) : r.pick([20, 64, 200, 1000, 2500]);
        if (depth > 2500) return deepJsonPlaceholder(depth, r.chance(0.5));
        let v: unknown = r.chance(0.5) ? 'bottom' : 'bottom\u0000';
        for (let i = 0; i < depth; i++) v = r.chance(0.8) ? { a: v } : [v];
        return v;
      }
      case 'wide':
        return Object.fromEntries(Array.from({ length: r.pick([100, 5000, 50_000]) }, (_, i) => [`k${i}`, i]));
      case 'nul': {
        const leaf = { 'k\u0000': 'v\u0000', s: '\u0000' };
        return r.chance(0.5) ? { a: { b: { c: [leaf] } } } : { 'key\u0000': 1 };
      }
      default:
        return r.pick([0, -1, 1e308, 'string', true, [], {}, [1, [2, [3]]], null]);
    }
  }
}
