import { defineTaskKind } from '../../../capabilities/collaboration/task-kind.js';

/** A run-of-show item a vendor (or helper) is responsible for: its own task, due when the item starts. */
export const TIMELINE_ITEM_OWNER = defineTaskKind({
  key: 'timeline.item_owner',
  name: 'Run-of-show item',
  description: 'Deliver a run-of-show item you are responsible for; mark it done when it is.',
  resourceType: 'TimelineItem',
});
