-- CreateEnum
CREATE TYPE "RsvpResponseScope" AS ENUM ('ACTOR', 'HOUSEHOLD', 'GROUP');

-- CreateEnum
CREATE TYPE "RsvpStatus" AS ENUM ('PENDING', 'ATTENDING', 'DECLINED');

-- CreateEnum
CREATE TYPE "RsvpSource" AS ENUM ('GUEST', 'PLANNER_OVERRIDE', 'IMPORT');

-- CreateEnum
CREATE TYPE "FormAppliesTo" AS ENUM ('HOUSEHOLD', 'PERSON');

-- CreateEnum
CREATE TYPE "FormFieldType" AS ENUM ('TEXT', 'SINGLE_CHOICE', 'MULTI_CHOICE', 'BOOLEAN', 'NUMBER');

-- CreateTable
CREATE TABLE "occasion_invitations" (
    "id" UUID NOT NULL,
    "occasion_id" UUID NOT NULL,
    "unit_actor_id" UUID NOT NULL,
    "allowed_event_ids" UUID[],
    "token_hash" TEXT NOT NULL,
    "token_hint" TEXT NOT NULL,
    "expires_at" TIMESTAMPTZ(3),
    "revoked_at" TIMESTAMPTZ(3),
    "replaced_by_id" UUID,
    "created_by_actor_id" UUID,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_used_at" TIMESTAMPTZ(3),

    CONSTRAINT "occasion_invitations_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "rsvp_invitations" (
    "id" UUID NOT NULL,
    "occasion_id" UUID NOT NULL,
    "occasion_invitation_id" UUID,
    "primary_actor_id" UUID NOT NULL,
    "invitation_unit_actor_id" UUID NOT NULL,
    "response_scope" "RsvpResponseScope" NOT NULL,
    "invited_event_ids" UUID[],
    "plus_ones_allowed" INTEGER NOT NULL DEFAULT 0,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "rsvp_invitations_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "rsvp_responses" (
    "id" UUID NOT NULL,
    "occasion_id" UUID NOT NULL,
    "invitation_id" UUID NOT NULL,
    "event_id" UUID NOT NULL,
    "unit_actor_id" UUID NOT NULL,
    "status" "RsvpStatus" NOT NULL DEFAULT 'PENDING',
    "participant_actor_ids" UUID[],
    "headcount" INTEGER NOT NULL DEFAULT 0,
    "child_count" INTEGER NOT NULL DEFAULT 0,
    "plus_one_count" INTEGER NOT NULL DEFAULT 0,
    "responder_actor_id" UUID,
    "source" "RsvpSource",
    "notes" TEXT,
    "form_submission_ids" UUID[],
    "responded_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "rsvp_responses_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "rsvp_response_changes" (
    "id" BIGSERIAL NOT NULL,
    "response_id" UUID NOT NULL,
    "occasion_id" UUID NOT NULL,
    "event_id" UUID NOT NULL,
    "from_status" "RsvpStatus" NOT NULL,
    "to_status" "RsvpStatus" NOT NULL,
    "from_participant_actor_ids" UUID[],
    "to_participant_actor_ids" UUID[],
    "source" "RsvpSource" NOT NULL,
    "principal_type" TEXT NOT NULL,
    "principal_id" TEXT,
    "actor_id" UUID,
    "reason" TEXT,
    "request_id" TEXT,
    "at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "rsvp_response_changes_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "forms" (
    "id" UUID NOT NULL,
    "occasion_id" UUID NOT NULL,
    "title" TEXT NOT NULL,
    "applies_to" "FormAppliesTo" NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "archived_at" TIMESTAMPTZ(3),

    CONSTRAINT "forms_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "form_fields" (
    "id" UUID NOT NULL,
    "occasion_id" UUID NOT NULL,
    "form_id" UUID NOT NULL,
    "key" TEXT NOT NULL,
    "version" INTEGER NOT NULL,
    "label" TEXT NOT NULL,
    "type" "FormFieldType" NOT NULL,
    "options" JSONB NOT NULL DEFAULT '[]',
    "required" BOOLEAN NOT NULL DEFAULT false,
    "position" INTEGER NOT NULL DEFAULT 0,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "retired_at" TIMESTAMPTZ(3),

    CONSTRAINT "form_fields_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "form_submissions" (
    "id" UUID NOT NULL,
    "occasion_id" UUID NOT NULL,
    "form_id" UUID NOT NULL,
    "event_id" UUID,
    "respondent_actor_id" UUID NOT NULL,
    "rsvp_response_id" UUID,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "form_submissions_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "form_answers" (
    "id" UUID NOT NULL,
    "submission_id" UUID NOT NULL,
    "field_id" UUID NOT NULL,
    "actor_id" UUID NOT NULL,
    "value" JSONB NOT NULL,

    CONSTRAINT "form_answers_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "occasion_invitations_token_hash_key" ON "occasion_invitations"("token_hash");

-- CreateIndex
CREATE INDEX "occasion_invitations_occasion_id_unit_actor_id_idx" ON "occasion_invitations"("occasion_id", "unit_actor_id");

-- CreateIndex
CREATE UNIQUE INDEX "rsvp_invitations_invitation_unit_actor_id_key" ON "rsvp_invitations"("invitation_unit_actor_id");

-- CreateIndex
CREATE INDEX "rsvp_invitations_occasion_id_idx" ON "rsvp_invitations"("occasion_id");

-- CreateIndex
CREATE INDEX "rsvp_responses_event_id_status_idx" ON "rsvp_responses"("event_id", "status");

-- CreateIndex
CREATE UNIQUE INDEX "rsvp_responses_invitation_id_event_id_key" ON "rsvp_responses"("invitation_id", "event_id");

-- CreateIndex
CREATE INDEX "rsvp_response_changes_response_id_id_idx" ON "rsvp_response_changes"("response_id", "id");

-- CreateIndex
CREATE INDEX "forms_occasion_id_idx" ON "forms"("occasion_id");

-- CreateIndex
CREATE INDEX "form_fields_form_id_retired_at_idx" ON "form_fields"("form_id", "retired_at");

-- CreateIndex
CREATE UNIQUE INDEX "form_fields_form_id_key_version_key" ON "form_fields"("form_id", "key", "version");

-- CreateIndex
CREATE INDEX "form_submissions_event_id_idx" ON "form_submissions"("event_id");

-- CreateIndex
CREATE UNIQUE INDEX "form_submissions_form_id_event_id_respondent_actor_id_key" ON "form_submissions"("form_id", "event_id", "respondent_actor_id");

-- CreateIndex
CREATE INDEX "form_answers_field_id_idx" ON "form_answers"("field_id");

-- CreateIndex
CREATE UNIQUE INDEX "form_answers_submission_id_field_id_actor_id_key" ON "form_answers"("submission_id", "field_id", "actor_id");

-- AddForeignKey
ALTER TABLE "occasion_invitations" ADD CONSTRAINT "occasion_invitations_occasion_id_fkey" FOREIGN KEY ("occasion_id") REFERENCES "occasions"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "occasion_invitations" ADD CONSTRAINT "occasion_invitations_unit_actor_id_fkey" FOREIGN KEY ("unit_actor_id") REFERENCES "actors"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "rsvp_invitations" ADD CONSTRAINT "rsvp_invitations_occasion_id_fkey" FOREIGN KEY ("occasion_id") REFERENCES "occasions"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "rsvp_invitations" ADD CONSTRAINT "rsvp_invitations_occasion_invitation_id_fkey" FOREIGN KEY ("occasion_invitation_id") REFERENCES "occasion_invitations"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "rsvp_invitations" ADD CONSTRAINT "rsvp_invitations_primary_actor_id_fkey" FOREIGN KEY ("primary_actor_id") REFERENCES "actors"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "rsvp_invitations" ADD CONSTRAINT "rsvp_invitations_invitation_unit_actor_id_fkey" FOREIGN KEY ("invitation_unit_actor_id") REFERENCES "actors"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "rsvp_responses" ADD CONSTRAINT "rsvp_responses_invitation_id_fkey" FOREIGN KEY ("invitation_id") REFERENCES "rsvp_invitations"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "rsvp_responses" ADD CONSTRAINT "rsvp_responses_event_id_fkey" FOREIGN KEY ("event_id") REFERENCES "events"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "rsvp_response_changes" ADD CONSTRAINT "rsvp_response_changes_response_id_fkey" FOREIGN KEY ("response_id") REFERENCES "rsvp_responses"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "forms" ADD CONSTRAINT "forms_occasion_id_fkey" FOREIGN KEY ("occasion_id") REFERENCES "occasions"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "form_fields" ADD CONSTRAINT "form_fields_form_id_fkey" FOREIGN KEY ("form_id") REFERENCES "forms"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "form_submissions" ADD CONSTRAINT "form_submissions_form_id_fkey" FOREIGN KEY ("form_id") REFERENCES "forms"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "form_answers" ADD CONSTRAINT "form_answers_submission_id_fkey" FOREIGN KEY ("submission_id") REFERENCES "form_submissions"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "form_answers" ADD CONSTRAINT "form_answers_field_id_fkey" FOREIGN KEY ("field_id") REFERENCES "form_fields"("id") ON DELETE CASCADE ON UPDATE CASCADE;

