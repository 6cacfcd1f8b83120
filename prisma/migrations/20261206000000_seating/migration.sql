-- CreateEnum
CREATE TYPE "SeatingTableShape" AS ENUM ('ROUND', 'RECTANGLE', 'SQUARE', 'OVAL', 'OTHER');

-- CreateEnum
CREATE TYPE "SeatingConstraintKind" AS ENUM ('TOGETHER', 'APART');

-- CreateTable
CREATE TABLE "seating_plans" (
    "id" UUID NOT NULL,
    "occasion_id" UUID NOT NULL,
    "event_id" UUID NOT NULL,
    "revision" INTEGER NOT NULL DEFAULT 1,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "seating_plans_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "seating_rooms" (
    "id" UUID NOT NULL,
    "occasion_id" UUID NOT NULL,
    "plan_id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "external_id" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "seating_rooms_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "seating_tables" (
    "id" UUID NOT NULL,
    "occasion_id" UUID NOT NULL,
    "plan_id" UUID NOT NULL,
    "room_id" UUID,
    "label" TEXT NOT NULL,
    "shape" "SeatingTableShape" NOT NULL DEFAULT 'ROUND',
    "capacity" INTEGER NOT NULL,
    "x" DOUBLE PRECISION,
    "y" DOUBLE PRECISION,
    "rotation" DOUBLE PRECISION,
    "seat_labels" TEXT[],
    "external_id" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "seating_tables_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "seating_assignments" (
    "id" UUID NOT NULL,
    "occasion_id" UUID NOT NULL,
    "plan_id" UUID NOT NULL,
    "table_id" UUID NOT NULL,
    "actor_id" UUID NOT NULL,
    "seat_number" INTEGER,
    "pinned" BOOLEAN NOT NULL DEFAULT true,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "seating_assignments_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "seating_constraints" (
    "id" UUID NOT NULL,
    "occasion_id" UUID NOT NULL,
    "plan_id" UUID NOT NULL,
    "kind" "SeatingConstraintKind" NOT NULL,
    "actor_a_id" UUID NOT NULL,
    "actor_b_id" UUID NOT NULL,
    "note" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "seating_constraints_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "seating_plan_versions" (
    "id" UUID NOT NULL,
    "occasion_id" UUID NOT NULL,
    "plan_id" UUID NOT NULL,
    "event_id" UUID NOT NULL,
    "number" INTEGER NOT NULL,
    "revision" INTEGER NOT NULL,
    "snapshot" JSONB NOT NULL,
    "published_by_actor_id" UUID,
    "published_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "seating_plan_versions_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "seating_notices" (
    "id" UUID NOT NULL,
    "occasion_id" UUID NOT NULL,
    "plan_id" UUID NOT NULL,
    "actor_id" UUID NOT NULL,
    "guest_name" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "table_label" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "dismissed_at" TIMESTAMPTZ(3),

    CONSTRAINT "seating_notices_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "seating_plans_event_id_key" ON "seating_plans"("event_id");

-- CreateIndex
CREATE INDEX "seating_plans_occasion_id_idx" ON "seating_plans"("occasion_id");

-- CreateIndex
CREATE INDEX "seating_rooms_occasion_id_idx" ON "seating_rooms"("occasion_id");

-- CreateIndex
CREATE UNIQUE INDEX "seating_rooms_plan_id_external_id_key" ON "seating_rooms"("plan_id", "external_id");

-- CreateIndex
CREATE INDEX "seating_tables_plan_id_label_idx" ON "seating_tables"("plan_id", "label");

-- CreateIndex
CREATE INDEX "seating_tables_occasion_id_idx" ON "seating_tables"("occasion_id");

-- CreateIndex
CREATE UNIQUE INDEX "seating_tables_plan_id_external_id_key" ON "seating_tables"("plan_id", "external_id");

-- CreateIndex
CREATE INDEX "seating_assignments_actor_id_idx" ON "seating_assignments"("actor_id");

-- CreateIndex
CREATE UNIQUE INDEX "seating_assignments_plan_id_actor_id_key" ON "seating_assignments"("plan_id", "actor_id");

-- CreateIndex
CREATE UNIQUE INDEX "seating_assignments_table_id_seat_number_key" ON "seating_assignments"("table_id", "seat_number");

-- CreateIndex
CREATE INDEX "seating_constraints_actor_b_id_idx" ON "seating_constraints"("actor_b_id");

-- CreateIndex
CREATE UNIQUE INDEX "seating_constraints_plan_id_actor_a_id_actor_b_id_key" ON "seating_constraints"("plan_id", "actor_a_id", "actor_b_id");

-- CreateIndex
CREATE INDEX "seating_plan_versions_occasion_id_idx" ON "seating_plan_versions"("occasion_id");

-- CreateIndex
CREATE UNIQUE INDEX "seating_plan_versions_plan_id_number_key" ON "seating_plan_versions"("plan_id", "number");

-- CreateIndex
CREATE INDEX "seating_notices_plan_id_dismissed_at_idx" ON "seating_notices"("plan_id", "dismissed_at");

-- AddForeignKey
ALTER TABLE "seating_plans" ADD CONSTRAINT "seating_plans_event_id_fkey" FOREIGN KEY ("event_id") REFERENCES "events"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "seating_rooms" ADD CONSTRAINT "seating_rooms_plan_id_fkey" FOREIGN KEY ("plan_id") REFERENCES "seating_plans"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "seating_tables" ADD CONSTRAINT "seating_tables_plan_id_fkey" FOREIGN KEY ("plan_id") REFERENCES "seating_plans"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "seating_tables" ADD CONSTRAINT "seating_tables_room_id_fkey" FOREIGN KEY ("room_id") REFERENCES "seating_rooms"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "seating_assignments" ADD CONSTRAINT "seating_assignments_plan_id_fkey" FOREIGN KEY ("plan_id") REFERENCES "seating_plans"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "seating_assignments" ADD CONSTRAINT "seating_assignments_table_id_fkey" FOREIGN KEY ("table_id") REFERENCES "seating_tables"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "seating_assignments" ADD CONSTRAINT "seating_assignments_actor_id_fkey" FOREIGN KEY ("actor_id") REFERENCES "actors"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "seating_constraints" ADD CONSTRAINT "seating_constraints_plan_id_fkey" FOREIGN KEY ("plan_id") REFERENCES "seating_plans"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "seating_constraints" ADD CONSTRAINT "seating_constraints_actor_a_id_fkey" FOREIGN KEY ("actor_a_id") REFERENCES "actors"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "seating_constraints" ADD CONSTRAINT "seating_constraints_actor_b_id_fkey" FOREIGN KEY ("actor_b_id") REFERENCES "actors"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "seating_plan_versions" ADD CONSTRAINT "seating_plan_versions_plan_id_fkey" FOREIGN KEY ("plan_id") REFERENCES "seating_plans"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "seating_notices" ADD CONSTRAINT "seating_notices_plan_id_fkey" FOREIGN KEY ("plan_id") REFERENCES "seating_plans"("id") ON DELETE CASCADE ON UPDATE CASCADE;

