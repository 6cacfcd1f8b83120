import { DomainError } from '../../platform/errors.js';

/**
 * What to do with a unit's working link when another is issued. There is no
 * default: a second live link for the same household is a decision (one per
 * parent, a printed card and an email), not a side effect.
 */
export const LIVE_LINK_CHOICES = ['REVOKE_EXISTING', 'KEEP_EXISTING'] as const;
export type LiveLinkChoice = (typeof LIVE_LINK_CHOICES)[number];

/** The unit already has a working guest link and the caller did not say whether to keep it. */
export class GuestLinkLiveError extends DomainError {
  override readonly code = 'GUEST_LINK_LIVE';
  constructor(readonly liveLinkIds: string[]) {
    super(
      `This unit already has ${liveLinkIds.length === 1 ? 'a working guest link' : `${liveLinkIds.length} working guest links`}. ` +
        'Issue again with onLiveLink: REVOKE_EXISTING to replace it (the old link stops working, as with reissueGuestAccess), ' +
        'or KEEP_EXISTING to add a second link and leave the existing one working.',
    );
  }
}
