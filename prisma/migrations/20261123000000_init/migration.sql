-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "public";

-- CreateEnum
CREATE TYPE "OccasionKind" AS ENUM ('WEDDING', 'CELEBRATION', 'GALA', 'CONFERENCE', 'OTHER');

-- CreateEnum
CREATE TYPE "EventVisibility" AS ENUM ('PUBLIC', 'PRIVATE');

-- CreateEnum
CREATE TYPE "ActorKind" AS ENUM ('PERSON', 'HOUSEHOLD', 'GROUP', 'VENDOR', 'TEAM');

-- CreateEnum
CREATE TYPE "MembershipRole" AS ENUM ('HEAD', 'MEMBER', 'PLUS_ONE', 'CHILD');

-- CreateEnum
CREATE TYPE "GrantSubjectType" AS ENUM ('ACTOR', 'INTEGRATION');

-- CreateEnum
CREATE TYPE "ScopeType" AS ENUM ('PLATFORM', 'OCCASION', 'EVENT', 'MODULE_INSTALLATION', 'MODULE_ENABLEMENT', 'RESOURCE');

-- CreateEnum
CREATE TYPE "AuditOutcome" AS ENUM ('SUCCESS', 'DENIED', 'FAILED');

-- CreateTable
CREATE TABLE "users" (
    "id" UUID NOT NULL,
    "email" TEXT NOT NULL,
    "password_hash" TEXT NOT NULL,
    "display_name" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "deleted_at" TIMESTAMPTZ(3),

    CONSTRAINT "users_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "refresh_tokens" (
    "id" UUID NOT NULL,
    "user_id" UUID NOT NULL,
    "family_id" UUID NOT NULL,
    "token_hash" TEXT NOT NULL,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "rotated_at" TIMESTAMPTZ(3),
    "revoked_at" TIMESTAMPTZ(3),

    CONSTRAINT "refresh_tokens_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "signing_keys" (
    "kid" TEXT NOT NULL,
    "alg" TEXT NOT NULL,
    "public_jwk" JSONB NOT NULL,
    "private_jwk_enc" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "retired_at" TIMESTAMPTZ(3),

    CONSTRAINT "signing_keys_pkey" PRIMARY KEY ("kid")
);

-- CreateTable
CREATE TABLE "occasions" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "kind" "OccasionKind" NOT NULL DEFAULT 'OTHER',
    "timezone" TEXT NOT NULL DEFAULT 'UTC',
    "default_locale" TEXT NOT NULL DEFAULT 'en',
    "branding" JSONB NOT NULL DEFAULT '{}',
    "created_by_user_id" UUID,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "occasions_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "events" (
    "id" UUID NOT NULL,
    "occasion_id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT,
    "starts_at" TIMESTAMPTZ(3),
    "ends_at" TIMESTAMPTZ(3),
    "location" TEXT,
    "visibility" "EventVisibility" NOT NULL DEFAULT 'PUBLIC',
    "settings" JSONB NOT NULL DEFAULT '{}',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "events_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "actors" (
    "id" UUID NOT NULL,
    "occasion_id" UUID NOT NULL,
    "kind" "ActorKind" NOT NULL,
    "display_name" TEXT NOT NULL,
    "email" TEXT,
    "phone" TEXT,
    "notes" TEXT,
    "attributes" JSONB NOT NULL DEFAULT '{}',
    "user_id" UUID,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "actors_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "memberships" (
    "id" UUID NOT NULL,
    "occasion_id" UUID NOT NULL,
    "group_actor_id" UUID NOT NULL,
    "member_actor_id" UUID NOT NULL,
    "role" "MembershipRole" NOT NULL DEFAULT 'MEMBER',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "memberships_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "relationships" (
    "id" UUID NOT NULL,
    "occasion_id" UUID NOT NULL,
    "from_actor_id" UUID NOT NULL,
    "to_actor_id" UUID NOT NULL,
    "kind" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "relationships_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "tags" (
    "id" UUID NOT NULL,
    "occasion_id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "color" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "tags_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "actor_tags" (
    "actor_id" UUID NOT NULL,
    "tag_id" UUID NOT NULL,

    CONSTRAINT "actor_tags_pkey" PRIMARY KEY ("actor_id","tag_id")
);

-- CreateTable
CREATE TABLE "collaborator_invitations" (
    "id" UUID NOT NULL,
    "occasion_id" UUID NOT NULL,
    "actor_id" UUID NOT NULL,
    "email" TEXT NOT NULL,
    "role" TEXT NOT NULL,
    "event_ids" UUID[],
    "token_hash" TEXT NOT NULL,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "created_by_actor_id" UUID,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "accepted_at" TIMESTAMPTZ(3),
    "accepted_by_user_id" UUID,
    "revoked_at" TIMESTAMPTZ(3),

    CONSTRAINT "collaborator_invitations_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "module_installations" (
    "id" UUID NOT NULL,
    "occasion_id" UUID NOT NULL,
    "module_key" TEXT NOT NULL,
    "version" TEXT NOT NULL,
    "config" JSONB NOT NULL DEFAULT '{}',
    "installed_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "module_installations_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "module_enablements" (
    "id" UUID NOT NULL,
    "occasion_id" UUID NOT NULL,
    "installation_id" UUID NOT NULL,
    "event_id" UUID NOT NULL,
    "config" JSONB NOT NULL DEFAULT '{}',
    "enabled_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "module_enablements_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "grants" (
    "id" UUID NOT NULL,
    "occasion_id" UUID,
    "subject_type" "GrantSubjectType" NOT NULL,
    "subject_actor_id" UUID,
    "subject_integration_id" UUID,
    "role" TEXT,
    "actions" TEXT[],
    "scope_type" "ScopeType" NOT NULL,
    "scope_event_id" UUID,
    "scope_installation_id" UUID,
    "scope_enablement_id" UUID,
    "resource_type" TEXT,
    "resource_id" UUID,
    "expires_at" TIMESTAMPTZ(3),
    "granted_by_actor_id" UUID,
    "granted_by_user_id" UUID,
    "granted_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "revoked_at" TIMESTAMPTZ(3),
    "revoked_by_user_id" UUID,

    CONSTRAINT "grants_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "audit_log" (
    "id" BIGSERIAL NOT NULL,
    "occasion_id" UUID,
    "at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "principal_type" TEXT NOT NULL,
    "principal_id" TEXT,
    "user_id" UUID,
    "actor_id" UUID,
    "integration_id" UUID,
    "credential_id" UUID,
    "action" TEXT NOT NULL,
    "target_type" TEXT,
    "target_id" TEXT,
    "scope" JSONB,
    "request_id" TEXT,
    "before" JSONB,
    "after" JSONB,
    "outcome" "AuditOutcome" NOT NULL DEFAULT 'SUCCESS',
    "reason" TEXT,

    CONSTRAINT "audit_log_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "outbox_events" (
    "id" UUID NOT NULL,
    "position" BIGSERIAL NOT NULL,
    "type" TEXT NOT NULL,
    "occasion_id" UUID,
    "event_id" UUID,
    "payload" JSONB NOT NULL,
    "request_id" TEXT,
    "occurred_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "relayed_at" TIMESTAMPTZ(3),

    CONSTRAINT "outbox_events_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "users_email_key" ON "users"("email");

-- CreateIndex
CREATE UNIQUE INDEX "refresh_tokens_token_hash_key" ON "refresh_tokens"("token_hash");

-- CreateIndex
CREATE INDEX "refresh_tokens_family_id_idx" ON "refresh_tokens"("family_id");

-- CreateIndex
CREATE INDEX "events_occasion_id_starts_at_idx" ON "events"("occasion_id", "starts_at");

-- CreateIndex
CREATE INDEX "actors_occasion_id_kind_display_name_idx" ON "actors"("occasion_id", "kind", "display_name");

-- CreateIndex
CREATE UNIQUE INDEX "actors_occasion_id_user_id_key" ON "actors"("occasion_id", "user_id");

-- CreateIndex
CREATE INDEX "memberships_member_actor_id_idx" ON "memberships"("member_actor_id");

-- CreateIndex
CREATE UNIQUE INDEX "memberships_group_actor_id_member_actor_id_key" ON "memberships"("group_actor_id", "member_actor_id");

-- CreateIndex
CREATE INDEX "relationships_to_actor_id_idx" ON "relationships"("to_actor_id");

-- CreateIndex
CREATE UNIQUE INDEX "relationships_from_actor_id_to_actor_id_kind_key" ON "relationships"("from_actor_id", "to_actor_id", "kind");

-- CreateIndex
CREATE UNIQUE INDEX "tags_occasion_id_name_key" ON "tags"("occasion_id", "name");

-- CreateIndex
CREATE INDEX "actor_tags_tag_id_idx" ON "actor_tags"("tag_id");

-- CreateIndex
CREATE UNIQUE INDEX "collaborator_invitations_token_hash_key" ON "collaborator_invitations"("token_hash");

-- CreateIndex
CREATE INDEX "collaborator_invitations_occasion_id_idx" ON "collaborator_invitations"("occasion_id");

-- CreateIndex
CREATE UNIQUE INDEX "module_installations_occasion_id_module_key_key" ON "module_installations"("occasion_id", "module_key");

-- CreateIndex
CREATE INDEX "module_enablements_event_id_idx" ON "module_enablements"("event_id");

-- CreateIndex
CREATE UNIQUE INDEX "module_enablements_installation_id_event_id_key" ON "module_enablements"("installation_id", "event_id");

-- CreateIndex
CREATE INDEX "grants_occasion_id_subject_actor_id_idx" ON "grants"("occasion_id", "subject_actor_id");

-- CreateIndex
CREATE INDEX "grants_subject_integration_id_idx" ON "grants"("subject_integration_id");

-- CreateIndex
CREATE INDEX "audit_log_occasion_id_id_idx" ON "audit_log"("occasion_id", "id");

-- CreateIndex
CREATE UNIQUE INDEX "outbox_events_position_key" ON "outbox_events"("position");

-- CreateIndex
CREATE INDEX "outbox_events_relayed_at_position_idx" ON "outbox_events"("relayed_at", "position");

-- CreateIndex
CREATE INDEX "outbox_events_occasion_id_position_idx" ON "outbox_events"("occasion_id", "position");

-- AddForeignKey
ALTER TABLE "refresh_tokens" ADD CONSTRAINT "refresh_tokens_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "events" ADD CONSTRAINT "events_occasion_id_fkey" FOREIGN KEY ("occasion_id") REFERENCES "occasions"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "actors" ADD CONSTRAINT "actors_occasion_id_fkey" FOREIGN KEY ("occasion_id") REFERENCES "occasions"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "actors" ADD CONSTRAINT "actors_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "memberships" ADD CONSTRAINT "memberships_group_actor_id_fkey" FOREIGN KEY ("group_actor_id") REFERENCES "actors"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "memberships" ADD CONSTRAINT "memberships_member_actor_id_fkey" FOREIGN KEY ("member_actor_id") REFERENCES "actors"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "relationships" ADD CONSTRAINT "relationships_from_actor_id_fkey" FOREIGN KEY ("from_actor_id") REFERENCES "actors"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "relationships" ADD CONSTRAINT "relationships_to_actor_id_fkey" FOREIGN KEY ("to_actor_id") REFERENCES "actors"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "tags" ADD CONSTRAINT "tags_occasion_id_fkey" FOREIGN KEY ("occasion_id") REFERENCES "occasions"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "actor_tags" ADD CONSTRAINT "actor_tags_actor_id_fkey" FOREIGN KEY ("actor_id") REFERENCES "actors"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "actor_tags" ADD CONSTRAINT "actor_tags_tag_id_fkey" FOREIGN KEY ("tag_id") REFERENCES "tags"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "collaborator_invitations" ADD CONSTRAINT "collaborator_invitations_occasion_id_fkey" FOREIGN KEY ("occasion_id") REFERENCES "occasions"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "module_installations" ADD CONSTRAINT "module_installations_occasion_id_fkey" FOREIGN KEY ("occasion_id") REFERENCES "occasions"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "module_enablements" ADD CONSTRAINT "module_enablements_installation_id_fkey" FOREIGN KEY ("installation_id") REFERENCES "module_installations"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "module_enablements" ADD CONSTRAINT "module_enablements_event_id_fkey" FOREIGN KEY ("event_id") REFERENCES "events"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "grants" ADD CONSTRAINT "grants_occasion_id_fkey" FOREIGN KEY ("occasion_id") REFERENCES "occasions"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "grants" ADD CONSTRAINT "grants_subject_actor_id_fkey" FOREIGN KEY ("subject_actor_id") REFERENCES "actors"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "grants" ADD CONSTRAINT "grants_granted_by_actor_id_fkey" FOREIGN KEY ("granted_by_actor_id") REFERENCES "actors"("id") ON DELETE SET NULL ON UPDATE CASCADE;

