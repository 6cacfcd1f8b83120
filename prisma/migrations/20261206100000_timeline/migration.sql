-- CreateEnum
CREATE TYPE "TimelineAudience" AS ENUM ('PLANNERS', 'VENDORS', 'GUESTS');

-- CreateEnum
CREATE TYPE "TimelineItemStatus" AS ENUM ('PLANNED', 'CONFIRMED', 'DONE', 'CANCELLED');

-- CreateTable
CREATE TABLE "timeline_states" (
    "event_id" UUID NOT NULL,
    "occasion_id" UUID NOT NULL,
    "sequence" INTEGER NOT NULL DEFAULT 0,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "timeline_states_pkey" PRIMARY KEY ("event_id")
);

-- CreateTable
CREATE TABLE "timeline_items" (
    "id" UUID NOT NULL,
    "occasion_id" UUID NOT NULL,
    "event_id" UUID NOT NULL,
    "title" TEXT NOT NULL,
    "notes" TEXT,
    "starts_at" TIMESTAMPTZ(3) NOT NULL,
    "ends_at" TIMESTAMPTZ(3),
    "room" TEXT,
    "location" TEXT,
    "audience" "TimelineAudience"[],
    "status" "TimelineItemStatus" NOT NULL DEFAULT 'PLANNED',
    "position" INTEGER NOT NULL,
    "depends_on_ids" UUID[],
    "responsible_actor_ids" UUID[],
    "sequence" INTEGER NOT NULL DEFAULT 0,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "timeline_items_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "operational_windows" (
    "id" UUID NOT NULL,
    "occasion_id" UUID NOT NULL,
    "event_id" UUID NOT NULL,
    "kind" TEXT NOT NULL,
    "label" TEXT NOT NULL,
    "starts_at" TIMESTAMPTZ(3) NOT NULL,
    "ends_at" TIMESTAMPTZ(3) NOT NULL,
    "room" TEXT,
    "notes" TEXT,
    "sequence" INTEGER NOT NULL DEFAULT 0,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "operational_windows_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "calendar_feeds" (
    "id" UUID NOT NULL,
    "occasion_id" UUID NOT NULL,
    "token_hash" TEXT NOT NULL,
    "label" TEXT,
    "event_ids" UUID[],
    "owner_user_id" UUID,
    "owner_guest_access_id" UUID,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "revoked_at" TIMESTAMPTZ(3),
    "last_fetched_at" TIMESTAMPTZ(3),

    CONSTRAINT "calendar_feeds_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "timeline_items_event_id_position_idx" ON "timeline_items"("event_id", "position");

-- CreateIndex
CREATE INDEX "timeline_items_occasion_id_idx" ON "timeline_items"("occasion_id");

-- CreateIndex
CREATE INDEX "operational_windows_event_id_starts_at_idx" ON "operational_windows"("event_id", "starts_at");

-- CreateIndex
CREATE INDEX "operational_windows_occasion_id_idx" ON "operational_windows"("occasion_id");

-- CreateIndex
CREATE UNIQUE INDEX "calendar_feeds_token_hash_key" ON "calendar_feeds"("token_hash");

-- CreateIndex
CREATE INDEX "calendar_feeds_occasion_id_owner_user_id_idx" ON "calendar_feeds"("occasion_id", "owner_user_id");

-- CreateIndex
CREATE INDEX "calendar_feeds_owner_guest_access_id_idx" ON "calendar_feeds"("owner_guest_access_id");

-- AddForeignKey
ALTER TABLE "timeline_states" ADD CONSTRAINT "timeline_states_event_id_fkey" FOREIGN KEY ("event_id") REFERENCES "events"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "timeline_items" ADD CONSTRAINT "timeline_items_event_id_fkey" FOREIGN KEY ("event_id") REFERENCES "events"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "operational_windows" ADD CONSTRAINT "operational_windows_event_id_fkey" FOREIGN KEY ("event_id") REFERENCES "events"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "calendar_feeds" ADD CONSTRAINT "calendar_feeds_occasion_id_fkey" FOREIGN KEY ("occasion_id") REFERENCES "occasions"("id") ON DELETE CASCADE ON UPDATE CASCADE;

