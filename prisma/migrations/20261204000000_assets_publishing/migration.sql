-- CreateEnum
CREATE TYPE "GuestAccessKind" AS ENUM ('PORTAL', 'PRINT_CODE');

-- CreateEnum
CREATE TYPE "AssetStatus" AS ENUM ('UPLOADING', 'READY');

-- CreateEnum
CREATE TYPE "AssetVisibility" AS ENUM ('PRIVATE', 'GUESTS');

-- CreateEnum
CREATE TYPE "AssetVariantStatus" AS ENUM ('PENDING', 'READY', 'FAILED');

-- CreateEnum
CREATE TYPE "ArtifactVersionStatus" AS ENUM ('RENDERING', 'RENDERED', 'FAILED', 'PUBLISHED', 'SUPERSEDED');

-- CreateEnum
CREATE TYPE "PrintJobStatus" AS ENUM ('ACCEPTED', 'PRINTED', 'SHIPPED', 'REJECTED');

-- DropIndex
DROP INDEX "occasion_invitations_occasion_id_unit_actor_id_idx";

-- AlterTable
ALTER TABLE "occasions" ADD COLUMN     "asset_quota_bytes" BIGINT,
ADD COLUMN     "print_configuration" JSONB NOT NULL DEFAULT '{}';

-- AlterTable
ALTER TABLE "occasion_invitations" ADD COLUMN     "kind" "GuestAccessKind" NOT NULL DEFAULT 'PORTAL';

-- AlterTable
ALTER TABLE "outbox_events" ADD COLUMN     "resource_id" UUID,
ADD COLUMN     "resource_type" TEXT;

-- CreateTable
CREATE TABLE "assets" (
    "id" UUID NOT NULL,
    "occasion_id" UUID NOT NULL,
    "status" "AssetStatus" NOT NULL DEFAULT 'UPLOADING',
    "visibility" "AssetVisibility" NOT NULL DEFAULT 'PRIVATE',
    "filename" TEXT NOT NULL,
    "content_type" TEXT,
    "declared_type" TEXT,
    "byte_size" BIGINT,
    "reserved_bytes" BIGINT NOT NULL DEFAULT 0,
    "sha256" TEXT,
    "width" INTEGER,
    "height" INTEGER,
    "storage_key" TEXT NOT NULL,
    "upload_expires_at" TIMESTAMPTZ(3),
    "system" BOOLEAN NOT NULL DEFAULT false,
    "created_by_actor_id" UUID,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "ready_at" TIMESTAMPTZ(3),

    CONSTRAINT "assets_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "asset_variants" (
    "id" UUID NOT NULL,
    "asset_id" UUID NOT NULL,
    "preset" TEXT NOT NULL,
    "status" "AssetVariantStatus" NOT NULL DEFAULT 'PENDING',
    "storage_key" TEXT NOT NULL,
    "content_type" TEXT,
    "byte_size" INTEGER,
    "width" INTEGER,
    "height" INTEGER,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "lease_until" TIMESTAMPTZ(3),
    "error" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "ready_at" TIMESTAMPTZ(3),

    CONSTRAINT "asset_variants_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "asset_attachments" (
    "id" UUID NOT NULL,
    "occasion_id" UUID NOT NULL,
    "asset_id" UUID NOT NULL,
    "subject_type" TEXT NOT NULL,
    "subject_id" UUID NOT NULL,
    "role" TEXT NOT NULL,
    "position" INTEGER NOT NULL DEFAULT 0,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "asset_attachments_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "artifacts" (
    "id" UUID NOT NULL,
    "occasion_id" UUID NOT NULL,
    "definition_key" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "inputs" JSONB NOT NULL DEFAULT '{}',
    "draft_revision" INTEGER NOT NULL DEFAULT 1,
    "published_version_id" UUID,
    "created_by_actor_id" UUID,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "archived_at" TIMESTAMPTZ(3),

    CONSTRAINT "artifacts_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "artifact_versions" (
    "id" UUID NOT NULL,
    "artifact_id" UUID NOT NULL,
    "occasion_id" UUID NOT NULL,
    "number" INTEGER NOT NULL,
    "status" "ArtifactVersionStatus" NOT NULL DEFAULT 'RENDERING',
    "inputs" JSONB NOT NULL,
    "draft_revision" INTEGER NOT NULL,
    "print_spec" JSONB NOT NULL,
    "progress" INTEGER NOT NULL DEFAULT 0,
    "pages_done" INTEGER NOT NULL DEFAULT 0,
    "pages_total" INTEGER,
    "render_attempts" INTEGER NOT NULL DEFAULT 0,
    "lease_until" TIMESTAMPTZ(3),
    "error" TEXT,
    "content_hash" TEXT,
    "created_by_actor_id" UUID,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "rendered_at" TIMESTAMPTZ(3),
    "published_at" TIMESTAMPTZ(3),
    "superseded_at" TIMESTAMPTZ(3),

    CONSTRAINT "artifact_versions_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "print_jobs" (
    "id" UUID NOT NULL,
    "occasion_id" UUID NOT NULL,
    "artifact_version_id" UUID NOT NULL,
    "integration_id" UUID,
    "external_ref" TEXT NOT NULL,
    "status" "PrintJobStatus" NOT NULL,
    "reason" TEXT,
    "history" JSONB NOT NULL DEFAULT '[]',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "print_jobs_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "assets_storage_key_key" ON "assets"("storage_key");

-- CreateIndex
CREATE INDEX "assets_occasion_id_created_at_idx" ON "assets"("occasion_id", "created_at");

-- CreateIndex
CREATE INDEX "assets_status_upload_expires_at_idx" ON "assets"("status", "upload_expires_at");

-- CreateIndex
CREATE UNIQUE INDEX "asset_variants_storage_key_key" ON "asset_variants"("storage_key");

-- CreateIndex
CREATE INDEX "asset_variants_status_idx" ON "asset_variants"("status");

-- CreateIndex
CREATE UNIQUE INDEX "asset_variants_asset_id_preset_key" ON "asset_variants"("asset_id", "preset");

-- CreateIndex
CREATE INDEX "asset_attachments_asset_id_idx" ON "asset_attachments"("asset_id");

-- CreateIndex
CREATE INDEX "asset_attachments_occasion_id_subject_type_subject_id_idx" ON "asset_attachments"("occasion_id", "subject_type", "subject_id");

-- CreateIndex
CREATE UNIQUE INDEX "asset_attachments_subject_type_subject_id_role_asset_id_key" ON "asset_attachments"("subject_type", "subject_id", "role", "asset_id");

-- CreateIndex
CREATE UNIQUE INDEX "artifacts_published_version_id_key" ON "artifacts"("published_version_id");

-- CreateIndex
CREATE INDEX "artifacts_occasion_id_created_at_idx" ON "artifacts"("occasion_id", "created_at");

-- CreateIndex
CREATE INDEX "artifact_versions_status_lease_until_idx" ON "artifact_versions"("status", "lease_until");

-- CreateIndex
CREATE INDEX "artifact_versions_occasion_id_idx" ON "artifact_versions"("occasion_id");

-- CreateIndex
CREATE UNIQUE INDEX "artifact_versions_artifact_id_number_key" ON "artifact_versions"("artifact_id", "number");

-- CreateIndex
CREATE INDEX "print_jobs_occasion_id_idx" ON "print_jobs"("occasion_id");

-- CreateIndex
CREATE UNIQUE INDEX "print_jobs_artifact_version_id_external_ref_key" ON "print_jobs"("artifact_version_id", "external_ref");

-- CreateIndex
CREATE INDEX "occasion_invitations_occasion_id_unit_actor_id_kind_idx" ON "occasion_invitations"("occasion_id", "unit_actor_id", "kind");

-- AddForeignKey
ALTER TABLE "assets" ADD CONSTRAINT "assets_occasion_id_fkey" FOREIGN KEY ("occasion_id") REFERENCES "occasions"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "asset_variants" ADD CONSTRAINT "asset_variants_asset_id_fkey" FOREIGN KEY ("asset_id") REFERENCES "assets"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "asset_attachments" ADD CONSTRAINT "asset_attachments_asset_id_fkey" FOREIGN KEY ("asset_id") REFERENCES "assets"("id") ON DELETE NO ACTION ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "asset_attachments" ADD CONSTRAINT "asset_attachments_occasion_id_fkey" FOREIGN KEY ("occasion_id") REFERENCES "occasions"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "artifacts" ADD CONSTRAINT "artifacts_occasion_id_fkey" FOREIGN KEY ("occasion_id") REFERENCES "occasions"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "artifacts" ADD CONSTRAINT "artifacts_published_version_id_fkey" FOREIGN KEY ("published_version_id") REFERENCES "artifact_versions"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "artifact_versions" ADD CONSTRAINT "artifact_versions_artifact_id_fkey" FOREIGN KEY ("artifact_id") REFERENCES "artifacts"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "print_jobs" ADD CONSTRAINT "print_jobs_artifact_version_id_fkey" FOREIGN KEY ("artifact_version_id") REFERENCES "artifact_versions"("id") ON DELETE CASCADE ON UPDATE CASCADE;


-- Deleting a subject detaches its assets (attachments name subjects of any owner, so no foreign key can).
CREATE FUNCTION "asset_attachments_detach"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM "asset_attachments" WHERE "subject_type" = TG_ARGV[0] AND "subject_id" = OLD."id";
  RETURN OLD;
END $$;

CREATE TRIGGER "events_detach_assets" AFTER DELETE ON "events" FOR EACH ROW EXECUTE FUNCTION "asset_attachments_detach"('Event');
CREATE TRIGGER "artifact_versions_detach_assets" AFTER DELETE ON "artifact_versions" FOR EACH ROW EXECUTE FUNCTION "asset_attachments_detach"('ArtifactVersion');

-- Render jobs are found at commit, as outgoing messages are (a sweep is the fallback).
CREATE FUNCTION "artifact_versions_notify"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('artifact_renders', '');
  RETURN NULL;
END $$;
CREATE TRIGGER "artifact_versions_notify" AFTER INSERT ON "artifact_versions" FOR EACH STATEMENT EXECUTE FUNCTION "artifact_versions_notify"();

CREATE FUNCTION "asset_variants_notify"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('asset_variants', '');
  RETURN NULL;
END $$;
CREATE TRIGGER "asset_variants_notify" AFTER INSERT ON "asset_variants" FOR EACH STATEMENT EXECUTE FUNCTION "asset_variants_notify"();
