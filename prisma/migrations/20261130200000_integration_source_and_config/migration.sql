-- Responses written by an integration (an inbound reply-card scan) are recorded as such, with the integration's id,
-- instead of passing for a planner's override.
-- AlterEnum
ALTER TYPE "RsvpSource" ADD VALUE 'INTEGRATION';

-- AlterTable
ALTER TABLE "rsvp_responses" ADD COLUMN     "responder_integration_id" UUID;


-- Integration configuration that did nothing is gone: webhook endpoints are the truth for where webhooks go and
-- what they carry (webhookUrl, eventTypes), and no adapter read the occasion layer or the adapter mapping.
-- What is left of a connection's config is the partner's account label.
ALTER TABLE "integration_connections" DROP COLUMN "mapping";
UPDATE "integration_connections"
SET "config" = jsonb_build_object('connection', COALESCE("config" -> 'connection', '{}'::jsonb) - 'webhookUrl' - 'eventTypes');
UPDATE "integration_apps" SET "config" = "config" - 'webhookUrl' - 'eventTypes';
