import { describe, expect, it } from 'vitest';
import { createActionRegistry } from '../../../src/domains/permissions/actions.js';

/** Platform-service actions (communications:deliver) are registered, grantable at platform scope, and in no occasion role. */

describe('action registry: platform-service actions', () => {
  it('communications:deliver is a platform-service action that no occasion role holds, not even the owner’s "everything"', () => {
    const r = createActionRegistry({}, {});
    expect(r.isAction('communications:deliver')).toBe(true);
    expect(r.platformService.has('communications:deliver')).toBe(true);
    for (const [name, role] of r.roles) expect([name, role.actions.has('communications:deliver')]).toEqual([name, false]);
    expect(r.roleActions('owner')!.has('communications:send')).toBe(true);
  });

  it('a module’s platform-service action stays out of "all except" roles too, and no role may name one', () => {
    const r = createActionRegistry({ 'maps:route': 'Route guests (platform).' }, {}, ['maps:route']);
    expect(r.roleActions('owner')!.has('maps:route')).toBe(false);
    expect(() => createActionRegistry({}, { courier: { description: 'x', actions: ['communications:deliver'] } })).toThrow(/platform-service/);
  });
});
