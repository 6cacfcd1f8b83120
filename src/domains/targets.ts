import { ACTOR_TARGETS } from './actors/actors.targets.js';
import { ASSET_TARGETS } from './assets/assets.targets.js';
import { COMMUNICATIONS_TARGETS } from './communications/communications.targets.js';
import { EVENT_TARGETS } from './events/events.targets.js';
import { GUEST_ACCESS_TARGETS } from './guest-access/guest-access.targets.js';
import { MODULE_TARGETS } from './module-platform/module-platform.targets.js';
import { OCCASION_TARGETS } from './occasions/occasions.targets.js';
import { PERMISSION_TARGETS } from './permissions/permissions.targets.js';

/** The core domains' permission targets (modules contribute theirs through their manifest). */
export const DOMAIN_TARGETS = {
  ...OCCASION_TARGETS,
  ...EVENT_TARGETS,
  ...ACTOR_TARGETS,
  ...MODULE_TARGETS,
  ...PERMISSION_TARGETS,
  ...GUEST_ACCESS_TARGETS,
  ...COMMUNICATIONS_TARGETS,
  ...ASSET_TARGETS,
};
