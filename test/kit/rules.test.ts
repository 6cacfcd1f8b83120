import { describe, expect, it } from 'vitest';
import type { Target } from '../../src/kit/authorization.js';
import type { Context } from '../../src/kit/context.js';
import { canField, declaredChecks } from '../../src/kit/rules.js';

/** A context whose engine records what it was asked and allows everything but `refused`. */
function fakeContext(refused = new Set<string>()) {
  const asked: string[] = [];
  const authz = {
    async assert(action: string, _target: Target, what?: string) {
      asked.push(`assert ${action}${what ? ` (${what})` : ''}`);
      if (refused.has(action)) throw new Error(`FORBIDDEN ${action}`);
    },
    async can(action: string) {
      asked.push(`can ${action}`);
      return !refused.has(action);
    },
  };
  return { ctx: { authz } as unknown as Context, asked };
}

const target = { occasionId: 'o1' };

describe('canField alsoChecks', () => {
  it('prints the actions a resolver checks in its body beside its rule', () => {
    const rule = canField('rsvp:manage', 'MODULE_INSTALLATION', () => target, { alsoChecks: ['guest:invite'] });
    expect(rule.directives.auth).toEqual({ action: 'rsvp:manage', scope: 'MODULE_INSTALLATION', alsoChecks: ['guest:invite'] });
  });

  it('prints nothing more for a field without in-body checks (no empty list)', () => {
    expect(Object.keys(canField('event:read', 'EVENT', () => target).directives.auth)).toEqual(['action', 'scope']);
  });
});

describe('declaredChecks', () => {
  const rule = canField('rsvp:view', 'MODULE_ENABLEMENT', () => target, { alsoChecks: ['actor:read', 'forms:read_answers'] });

  it('asks the engine about a declared action, with its arguments, and passes on its refusal', async () => {
    const { ctx, asked } = fakeContext(new Set(['actor:read']));
    const also = declaredChecks(rule, ctx);
    await expect(also.assert('actor:read', target, 'Event')).rejects.toThrow('FORBIDDEN actor:read');
    expect(await also.can('forms:read_answers', target)).toBe(true);
    expect(asked).toEqual(['assert actor:read (Event)', 'can forms:read_answers']);
  });

  it('refuses an action the rule does not declare, without asking the engine (it would be a check schema.graphql does not show)', async () => {
    const { ctx, asked } = fakeContext();
    const also = declaredChecks(rule, ctx);
    // @ts-expect-error: not in the rule's alsoChecks, so it does not compile either.
    await expect(also.assert('actor:delete', target)).rejects.toThrow(/actor:delete .*does not declare it/);
    const bare = declaredChecks(
      canField('event:read', 'EVENT', () => target),
      ctx,
    );
    // @ts-expect-error: a rule without alsoChecks allows no in-body check.
    await expect(bare.can('event:read', target)).rejects.toThrow(/does not declare/);
    expect(asked).toEqual([]);
  });
});
