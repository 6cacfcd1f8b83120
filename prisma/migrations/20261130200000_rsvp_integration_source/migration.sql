-- Responses written by an integration (an inbound reply-card scan) are recorded as such, with the integration's id,
-- instead of passing for a planner's override.
-- AlterEnum
ALTER TYPE "RsvpSource" ADD VALUE 'INTEGRATION';

-- AlterTable
ALTER TABLE "rsvp_responses" ADD COLUMN     "responder_integration_id" UUID;

