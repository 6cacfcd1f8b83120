import { describe, expect, it } from 'vitest';
import { buildWorld, must, type World } from '../../support/factories.js';
import { errorCode, startServer } from '../../support/harness.js';
import { newRequestId, rawId, watchOccasion } from '../../support/rows.js';

const s = await startServer();
const call = (token: string | undefined, query: string, variables?: Record<string, unknown>, requestId?: string) =>
  s.gql(query, variables, { token, headers: requestId ? { 'x-request-id': requestId } : {} });

const ERR = `... on Error { code message } ... on ValidationError { fields { path message } } ... on ModuleDependencyError { moduleKeys }`;
const INSTALL = `mutation($i: InstallModuleInput!) { installModule(input: $i) { __typename ... on ModuleInstallationPayload { installation { id moduleKey version config enablements { id } module { name } } } ${ERR} } }`;
const CONFIGURE = `mutation($i: ConfigureModuleInput!) { configureModule(input: $i) { __typename ... on ModuleInstallationPayload { installation { id config } } ... on ValidationError { code fields { path message } } } }`;
const UNINSTALL = `mutation($i: UninstallModuleInput!) { uninstallModule(input: $i) { __typename ... on UninstallModulePayload { deletedId } ... on ModuleDependencyError { code moduleKeys } } }`;
const ENABLE = `mutation($i: EnableModuleInput!) { enableModule(input: $i) { __typename ... on ModuleEnablementPayload { enablement { id config event { id } installation { moduleKey } } } ${ERR} } }`;
const DISABLE = `mutation($i: DisableModuleInput!) { disableModule(input: $i) { deletedId } }`;

const world = (collaborators: Record<string, number[] | undefined> = { co_planner: undefined, viewer: undefined, vendor: [0] }) =>
  buildWorld(s, { events: 2, households: [], collaborators });
const install = async (w: World, config?: object) =>
  (await must(s, w.owner.token, INSTALL, { i: { occasionId: w.occasionId, moduleKey: 'rsvp', config } })).installModule.installation as {
    id: string;
  };

describe('installModule', () => {
  it('installs with config validated and defaulted by the manifest; audit and module.installed', async () => {
    const w = await world();
    const watch = await watchOccasion(s, w.occasionId);
    const requestId = newRequestId('mod-install');
    const r = await call(w.owner.token, INSTALL, { i: { occasionId: w.occasionId, moduleKey: 'rsvp', config: { defaultPlusOnes: 2 } } }, requestId);
    expect(r.body.errors).toBeUndefined();
    const inst = r.body.data.installModule.installation;
    expect(inst).toMatchObject({
      moduleKey: 'rsvp',
      version: '1.0.0',
      config: { defaultPlusOnes: 2, allowGuestNotes: true },
      enablements: [],
      module: { name: 'RSVP' },
    });
    await watch.expectDelta({ installations: 1, audit: 1, outbox: 1 });
    const id = rawId(inst.id);
    const [audit] = await watch.audit();
    expect(audit).toMatchObject({
      action: 'module:install',
      targetType: 'ModuleInstallation',
      targetId: id,
      scope: { installationId: id },
      requestId,
      userId: w.owner.userId,
    });
    expect(audit!.after).toMatchObject({ moduleKey: 'rsvp', config: { defaultPlusOnes: 2, allowGuestNotes: true } });
    const [event] = await watch.outbox();
    expect(event).toMatchObject({
      type: 'module.installed',
      requestId,
      payload: { occasionId: watch.occasionId, moduleKey: 'rsvp', installationId: id, version: '1.0.0' },
    });
    const listed = await must(s, w.owner.token, `query($id: ID!) { occasion(id: $id) { modules { moduleKey } } }`, { id: w.occasionId });
    expect(listed.occasion.modules).toEqual([{ moduleKey: 'rsvp' }]);
  });

  it('refuses config the manifest rejects, and unknown modules, with a ValidationError; nothing written', async () => {
    const w = await world();
    const watch = await watchOccasion(s, w.occasionId);
    const bad = await call(w.owner.token, INSTALL, {
      i: { occasionId: w.occasionId, moduleKey: 'rsvp', config: { defaultPlusOnes: 11, allowGuestNotes: 'yes' } },
    });
    expect(bad.body.data.installModule).toMatchObject({ __typename: 'ValidationError', code: 'VALIDATION_FAILED' });
    expect(bad.body.data.installModule.fields.map((f: { path: string }) => f.path).sort()).toEqual([
      'input.config.allowGuestNotes',
      'input.config.defaultPlusOnes',
    ]);
    // The config schema is strict: unknown keys are refused, not dropped.
    const extra = await call(w.owner.token, INSTALL, { i: { occasionId: w.occasionId, moduleKey: 'rsvp', config: { colour: 'red' } } });
    expect(extra.body.data.installModule.__typename).toBe('ValidationError');
    const unknown = await call(w.owner.token, INSTALL, { i: { occasionId: w.occasionId, moduleKey: 'seating-chart' } });
    expect(unknown.body.data.installModule).toMatchObject({
      __typename: 'ValidationError',
      fields: [{ path: 'input.moduleKey', message: 'Unknown module.' }],
    });
    await watch.expectUnchanged();
  });

  it('refuses a second install with a ConflictError', async () => {
    const w = await world();
    await install(w);
    const watch = await watchOccasion(s, w.occasionId);
    const r = await call(w.owner.token, INSTALL, { i: { occasionId: w.occasionId, moduleKey: 'rsvp' } });
    expect(r.body.data.installModule).toMatchObject({ __typename: 'ConflictError', code: 'CONFLICT' });
    await watch.expectUnchanged();
  });

  it.each(['co_planner', 'viewer', 'vendor'])('is FORBIDDEN for a %s (module:manage is for planners)', async (role) => {
    const w = await world({ [role]: role === 'vendor' ? [0] : undefined });
    const watch = await watchOccasion(s, w.occasionId);
    const r = await call(w.people[role]!.token, INSTALL, { i: { occasionId: w.occasionId, moduleKey: 'rsvp' } });
    expect(errorCode(r)).toBe('FORBIDDEN');
    await watch.expectUnchanged();
  });

  it('is NOT_FOUND in another occasion', async () => {
    const w = await world({});
    const stranger = await world({});
    const watch = await watchOccasion(s, w.occasionId);
    const r = await call(stranger.owner.token, INSTALL, { i: { occasionId: w.occasionId, moduleKey: 'rsvp' } });
    expect(errorCode(r)).toBe('NOT_FOUND');
    await watch.expectUnchanged();
  });
});

describe('configureModule', () => {
  it('replaces the occasion-level config; audit before/after and module.configured', async () => {
    const w = await world({ planner: undefined, co_planner: undefined });
    const inst = await install(w, { defaultPlusOnes: 1 });
    const watch = await watchOccasion(s, w.occasionId);
    const r = await call(w.people.planner!.token, CONFIGURE, { i: { installationId: inst.id, config: { allowGuestNotes: false } } });
    expect(r.body.data.configureModule.installation.config).toEqual({ defaultPlusOnes: 0, allowGuestNotes: false });
    await watch.expectDelta({ audit: 1, outbox: 1 });
    const [audit] = await watch.audit();
    expect(audit).toMatchObject({ action: 'module:configure', targetId: rawId(inst.id) });
    expect(audit!.before).toMatchObject({ config: { defaultPlusOnes: 1, allowGuestNotes: true } });
    expect(audit!.after).toMatchObject({ config: { defaultPlusOnes: 0, allowGuestNotes: false } });
    expect((await watch.outbox())[0]).toMatchObject({
      type: 'module.configured',
      payload: { occasionId: watch.occasionId, moduleKey: 'rsvp', installationId: rawId(inst.id) },
    });

    // bad config and a co-planner change nothing
    const w2 = await watchOccasion(s, w.occasionId);
    const bad = await call(w.owner.token, CONFIGURE, { i: { installationId: inst.id, config: { defaultPlusOnes: -1 } } });
    expect(bad.body.data.configureModule).toMatchObject({ __typename: 'ValidationError', fields: [{ path: 'input.config.defaultPlusOnes' }] });
    expect(errorCode(await call(w.people.co_planner!.token, CONFIGURE, { i: { installationId: inst.id, config: {} } }))).toBe('FORBIDDEN');
    await w2.expectUnchanged();
  });
});

describe('enableModule / disableModule', () => {
  it('refuses to enable a module that is not installed (ModuleDependencyError)', async () => {
    const w = await world({});
    const watch = await watchOccasion(s, w.occasionId);
    const r = await call(w.owner.token, ENABLE, { i: { eventId: w.eventIds[0], moduleKey: 'rsvp' } });
    expect(r.body.data.enableModule).toMatchObject({ __typename: 'ModuleDependencyError', code: 'MODULE_DEPENDENCY', moduleKeys: ['rsvp'] });
    await watch.expectUnchanged();
  });

  it('enables per event with event config, updates it on a second call, and disables; each audited with module.* events', async () => {
    // given rsvp installed
    const w = await world({});
    const inst = await install(w);
    const [e0, e1] = w.eventIds as [string, string];

    // when it is enabled on the first event with a deadline
    let watch = await watchOccasion(s, w.occasionId);
    const requestId = newRequestId('mod-enable');
    const r = await call(w.owner.token, ENABLE, { i: { eventId: e0, moduleKey: 'rsvp', config: { deadline: '2027-05-01T00:00:00Z' } } }, requestId);

    // then
    const en = r.body.data.enableModule.enablement;
    expect(en).toMatchObject({ config: { deadline: '2027-05-01T00:00:00Z' }, event: { id: e0 }, installation: { moduleKey: 'rsvp' } });
    await watch.expectDelta({ enablements: 1, audit: 1, outbox: 1 });
    const [audit] = await watch.audit();
    expect(audit).toMatchObject({
      action: 'module:enable',
      targetType: 'ModuleEnablement',
      targetId: rawId(en.id),
      requestId,
      before: null,
      scope: { eventId: rawId(e0), installationId: rawId(inst.id), enablementId: rawId(en.id) },
    });
    const [event] = await watch.outbox();
    expect(event).toMatchObject({
      type: 'module.enabled',
      eventId: rawId(e0),
      payload: { occasionId: watch.occasionId, moduleKey: 'rsvp', installationId: rawId(inst.id), eventId: rawId(e0) },
    });
    const read = await must(
      s,
      w.owner.token,
      `query($a: ID!, $b: ID!) { a: event(id: $a) { modules { installation { moduleKey } } rsvp { deadline } } b: event(id: $b) { modules { id } } }`,
      { a: e0, b: e1 },
    );
    expect(read.a).toEqual({ modules: [{ installation: { moduleKey: 'rsvp' } }], rsvp: { deadline: '2027-05-01T00:00:00.000Z' } });
    expect(read.b.modules).toEqual([]);
    const notEnabled = await call(w.owner.token, `query($b: ID!) { event(id: $b) { rsvp { deadline } } }`, { b: e1 });
    expect(errorCode(notEnabled)).toBe('MODULE_NOT_ENABLED');

    // a second enable updates the event config in place
    watch = await watchOccasion(s, w.occasionId);
    const again = await call(w.owner.token, ENABLE, { i: { eventId: e0, moduleKey: 'rsvp', config: {} } });
    expect(again.body.data.enableModule.enablement).toMatchObject({ id: en.id, config: {} });
    await watch.expectDelta({ audit: 1, outbox: 1 });
    expect((await watch.audit())[0]!.before).toMatchObject({ config: { deadline: '2027-05-01T00:00:00Z' } });

    // bad event config writes nothing
    watch = await watchOccasion(s, w.occasionId);
    const bad = await call(w.owner.token, ENABLE, { i: { eventId: e1, moduleKey: 'rsvp', config: { deadline: 'soon', linkedFormId: 'abc' } } });
    expect(bad.body.data.enableModule).toMatchObject({ __typename: 'ValidationError', code: 'VALIDATION_FAILED' });
    expect(bad.body.data.enableModule.fields.map((f: { path: string }) => f.path).sort()).toEqual([
      'input.config.deadline',
      'input.config.linkedFormId',
    ]);
    await watch.expectUnchanged();

    // disabling removes the enablement
    watch = await watchOccasion(s, w.occasionId);
    const off = await call(w.owner.token, DISABLE, { i: { eventId: e0, moduleKey: 'rsvp' } });
    expect(off.body.data.disableModule.deletedId).toBe(en.id);
    await watch.expectDelta({ enablements: -1, audit: 1, outbox: 1 });
    expect((await watch.audit())[0]).toMatchObject({ action: 'module:disable', targetId: rawId(en.id) });
    expect((await watch.outbox())[0]).toMatchObject({
      type: 'module.disabled',
      eventId: rawId(e0),
      payload: { eventId: rawId(e0), moduleKey: 'rsvp', installationId: rawId(inst.id) },
    });
    const twice = await call(w.owner.token, DISABLE, { i: { eventId: e0, moduleKey: 'rsvp' } });
    expect(errorCode(twice)).toBe('NOT_FOUND');
  });

  it('is FORBIDDEN to enable or disable for a co-planner, a viewer and the vendor on its own event', async () => {
    const w = await world();
    await install(w);
    await must(s, w.owner.token, ENABLE, { i: { eventId: w.eventIds[1], moduleKey: 'rsvp' } });
    const watch = await watchOccasion(s, w.occasionId);
    for (const role of ['co_planner', 'viewer', 'vendor']) {
      expect(errorCode(await call(w.people[role]!.token, ENABLE, { i: { eventId: w.eventIds[0], moduleKey: 'rsvp' } }))).toBe('FORBIDDEN');
      expect(errorCode(await call(w.people[role]!.token, DISABLE, { i: { eventId: w.eventIds[1], moduleKey: 'rsvp' } }))).toBe('FORBIDDEN');
    }
    const stranger = await world({});
    expect(errorCode(await call(stranger.owner.token, ENABLE, { i: { eventId: w.eventIds[0], moduleKey: 'rsvp' } }))).toBe('NOT_FOUND');
    await watch.expectUnchanged();
  });
});

describe('uninstallModule', () => {
  it('removes the installation and cascades its enablements; audit and module.uninstalled', async () => {
    // given rsvp enabled on both events
    const w = await buildWorld(s, { events: 2, households: [], modules: { rsvp: [0, 1] }, collaborators: { co_planner: undefined } });
    const inst = await s.app.db.prisma.moduleInstallation.findFirstOrThrow({ where: { occasionId: rawId(w.occasionId) } });
    const installationId = Buffer.from(`ModuleInstallation:${inst.id}`).toString('base64url');
    const watch = await watchOccasion(s, w.occasionId);
    expect(watch.before.enablements).toBe(2);

    // a co-planner may not
    expect(errorCode(await call(w.people.co_planner!.token, UNINSTALL, { i: { installationId } }))).toBe('FORBIDDEN');
    await watch.expectUnchanged();

    // when the owner uninstalls
    const requestId = newRequestId('mod-uninstall');
    const r = await call(w.owner.token, UNINSTALL, { i: { installationId } }, requestId);

    // then
    expect(r.body.data.uninstallModule).toEqual({ __typename: 'UninstallModulePayload', deletedId: installationId });
    await watch.expectDelta({ installations: -1, enablements: -2, audit: 1, outbox: 1 });
    const [audit] = await watch.audit();
    expect(audit).toMatchObject({ action: 'module:uninstall', targetId: inst.id, requestId });
    expect((audit!.before as { enablements: unknown[] }).enablements).toHaveLength(2);
    expect((await watch.outbox())[0]).toMatchObject({
      type: 'module.uninstalled',
      payload: { occasionId: watch.occasionId, moduleKey: 'rsvp', installationId: inst.id },
    });
    const read = await must(s, w.owner.token, `query($id: ID!) { event(id: $id) { modules { id } } }`, { id: w.eventIds[0] });
    expect(read.event.modules).toEqual([]);
    // and it can be installed afresh
    expect((await call(w.owner.token, INSTALL, { i: { occasionId: w.occasionId, moduleKey: 'rsvp' } })).body.data.installModule.__typename).toBe(
      'ModuleInstallationPayload',
    );
  });
});

describe('availableModules', () => {
  it('lists the shipped manifests with their actions and roles to any signed-in user', async () => {
    const w = await world({});
    const r = await must(s, w.owner.token, `{ availableModules { key version dependsOn actions { name } roles { name actions } } }`);
    const rsvp = r.availableModules.find((m: { key: string }) => m.key === 'rsvp');
    expect(rsvp).toMatchObject({ version: '1.0.0', dependsOn: [] });
    expect(rsvp.actions.map((a: { name: string }) => a.name).sort()).toEqual(['rsvp:manage', 'rsvp:override', 'rsvp:read_catering', 'rsvp:view']);
    expect(rsvp.roles.map((x: { name: string }) => x.name).sort()).toEqual(['rsvp_manager', 'rsvp_viewer']);
    expect(errorCode(await call(undefined, `{ availableModules { key } }`))).toBe('UNAUTHENTICATED');
  });
});
