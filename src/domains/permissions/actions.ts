import { COMMUNICATIONS_PLATFORM_ACTIONS } from '../communications/communications.actions.js';

/**
 * The typed registry of actions (`area:verb`) and role bundles. Core domains
 * declare theirs here; module manifests contribute theirs when the registry is
 * built (src/modules/registry.ts). Nothing else invents an action string.
 */
export const CORE_ACTIONS = {
  'occasion:read': 'See the occasion (name, dates, branding).',
  'occasion:update': 'Change occasion settings.',
  'occasion:delete': 'Delete the occasion.',
  'event:read': 'See an event.',
  'event:create': 'Create events.',
  'event:update': 'Change an event.',
  'event:delete': 'Delete an event.',
  'actor:read': 'See actors (people, households, groups, vendors, teams), memberships, tags.',
  'actor:read_contact': 'See actors’ email and phone.',
  'actor:read_notes': 'See planner-only notes on actors.',
  'actor:create': 'Create actors.',
  'actor:update': 'Change actors, memberships, relationships, tags and attributes.',
  'actor:delete': 'Delete actors.',
  'module:read': 'See installed modules and where they are enabled.',
  'module:manage': 'Install, configure, enable, disable and uninstall modules.',
  'guest:read': 'See guest links (who has one, for which events, when last used).',
  'guest:invite': 'Issue, re-issue and revoke guest links.',
  'access:read': 'See grants and collaborator invitations.',
  'access:manage': 'Grant and revoke access; invite collaborators.',
  'audit:read': 'Read the audit log.',
  'integration:connect': 'Connect a partner integration to the occasion and grant it access.',
  'communications:view': 'See what was sent to whom and what became of it (the communication log), templates, reminders and suppressed addresses.',
  'communications:send': 'Send guest links, reminders and announcements by email; schedule and cancel reminders.',
  'communications:manage_templates': 'Write and change the occasion’s message templates.',
  'communications:manage_recipients': 'Suppress or restore an address; change a guest’s communication preferences for them.',
  'threads:read': 'Read the occasion’s conversations with guests and vendors.',
  'threads:write': 'Start conversations with guests and vendors, and write in them.',
  'asset:read': 'See the occasion’s files (uploads and generated files) and download them.',
  'asset:upload': 'Upload files, and attach them to the occasion, its events and artifacts.',
  'asset:delete': 'Delete files that nothing uses any more.',
  'artifact:read': 'See published artifacts (print-ready packages, charts) and download their files.',
  'artifact:manage': 'Create and change artifact drafts, render and publish them (drafts are visible with this only).',
  'artifact:report_print': 'Report a print job’s status on a published artifact (printers).',
  'print_config:read': 'See the occasion’s print configuration (paper, finish, quantities, delivery).',
  'print_config:manage': 'Change the occasion’s print configuration.',
  'translations:manage':
    'Translate the occasion’s and its events’ names and descriptions and its forms’ questions, and see what is not translated yet.',
  'tasks:manage':
    'See every task of the occasion; reassign and cancel tasks, and hand work out as tasks (helpers and vendors need no grant: they act on what is assigned to them or claimable by them).',
  // Platform-level: held by platform operators (PLATFORM_OPERATORS) and the CLI, never granted inside an occasion.
  'integration:read': 'See integration records, their credentials (never secrets) and connections (platform operators).',
  'integration:manage': 'Create, configure and change the lifecycle of integrations; issue and revoke credentials; set secrets (platform operators).',
} as const;

export type CoreAction = keyof typeof CORE_ACTIONS;
export type Action = CoreAction | `${string}:${string}`;

export interface RoleDefinition {
  description: string;
  /** Explicit actions, or every registered action except some (computed once the registry is complete). */
  actions: readonly string[] | { allExcept: readonly string[] };
}

/** Owner-only actions are the ones a planner cannot hand out further. */
export const OWNER_ONLY: readonly string[] = ['occasion:delete', 'audit:read'];

/**
 * Platform-level actions: only platform operators (and explicit system
 * principals) hold them, through a synthetic PLATFORM grant. No occasion role
 * bundles them, so an occasion owner never manages integration records.
 */
export const PLATFORM_ONLY: readonly string[] = ['integration:read', 'integration:manage'];

/**
 * Platform-service actions: the only actions an operator may grant a PLATFORM
 * integration at PLATFORM scope (grantPlatformAccess). A PLATFORM grant
 * covers every occasion, so none of the occasion actions above may ever be
 * one (that would make a messaging provider a reader of every tenant), and no
 * occasion role bundles one (an owner's "everything" is everything in the
 * occasion). The domain that defines a platform contract declares its actions
 * and they are listed here (or its module manifest does, as
 * `platformServiceActions`): communications' delivery action for messaging
 * providers.
 */
export const PLATFORM_SERVICE_ACTIONS: Readonly<Record<string, string>> = { ...COMMUNICATIONS_PLATFORM_ACTIONS };

export const CORE_ROLES: Record<string, RoleDefinition> = {
  owner: {
    description: 'Everything in the occasion, including deleting it and reading the audit log.',
    actions: { allExcept: PLATFORM_ONLY },
  },
  planner: { description: 'Runs the occasion: everything but owner-only actions.', actions: { allExcept: [...OWNER_ONLY, ...PLATFORM_ONLY] } },
  co_planner: {
    description: 'Plans alongside the planner, without changing who has access, which modules are installed or which integrations are connected.',
    actions: { allExcept: [...OWNER_ONLY, ...PLATFORM_ONLY, 'access:manage', 'module:manage', 'integration:connect'] },
  },
  helper: {
    description: 'Day-of help: sees events and actors, may update actors.',
    actions: ['occasion:read', 'event:read', 'actor:read', 'actor:update', 'module:read'],
  },
  vendor: { description: 'A vendor contact: sees the occasion and the events it is scoped to.', actions: ['occasion:read', 'event:read'] },
  viewer: { description: 'Read-only: occasion, events, actors and modules.', actions: ['occasion:read', 'event:read', 'actor:read', 'module:read'] },
};

export interface ActionRegistry {
  actions: Map<string, string>;
  roles: Map<string, { description: string; actions: Set<string> }>;
  /** Actions that may be granted at PLATFORM scope to a platform integration (see PLATFORM_SERVICE_ACTIONS). */
  platformService: Set<string>;
  isAction(a: string): boolean;
  roleActions(role: string): Set<string> | undefined;
}

export function createActionRegistry(
  extraActions: Record<string, string>,
  extraRoles: Record<string, RoleDefinition>,
  extraPlatformService: readonly string[] = [],
): ActionRegistry {
  const actions = new Map<string, string>(Object.entries({ ...CORE_ACTIONS, ...PLATFORM_SERVICE_ACTIONS, ...extraActions }));
  for (const a of actions.keys()) {
    if (!/^[a-z][a-z_]*:[a-z][a-z_]*$/.test(a)) throw new Error(`Action "${a}" is not area:verb`);
  }
  const platformService = new Set([...Object.keys(PLATFORM_SERVICE_ACTIONS), ...extraPlatformService]);
  for (const a of platformService) {
    if (!actions.has(a)) throw new Error(`Platform-service action ${a} is not a registered action`);
    if (a in CORE_ACTIONS) throw new Error(`${a} is an occasion action: it can never be granted at platform scope`);
  }
  const roles = new Map<string, { description: string; actions: Set<string> }>();
  for (const [name, def] of Object.entries({ ...CORE_ROLES, ...extraRoles })) {
    const spec = def.actions;
    // "Everything except" means everything in an occasion: platform-service actions are never in a role.
    const set = Array.isArray(spec)
      ? new Set<string>(spec)
      : new Set([...actions.keys()].filter((a) => !platformService.has(a) && !(spec as { allExcept: readonly string[] }).allExcept.includes(a)));
    for (const a of set) {
      if (!actions.has(a)) throw new Error(`Role ${name} names unknown action ${a}`);
      if (platformService.has(a)) throw new Error(`Role ${name} names ${a}, a platform-service action: no occasion role holds one`);
    }
    roles.set(name, { description: def.description, actions: set });
  }
  return {
    actions,
    roles,
    platformService,
    isAction: (a) => actions.has(a),
    roleActions: (r) => roles.get(r)?.actions,
  };
}
