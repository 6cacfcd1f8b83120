/**
 * Communications' platform contract: what a messaging provider (a PLATFORM
 * integration) holds at PLATFORM scope. It is handed composed messages by the
 * sender and reports what became of them, matched only against the messages
 * it was handed; it reads nothing else of any occasion (no guest list, no log,
 * no templates), so it is no occasion action and no occasion role bundles it.
 */
export const COMMUNICATIONS_PLATFORM_ACTIONS = {
  'communications:deliver': 'Send the messages handed to it and report what became of them (messaging providers, at platform scope).',
} as const;

export const DELIVER_ACTION = 'communications:deliver' satisfies keyof typeof COMMUNICATIONS_PLATFORM_ACTIONS;
