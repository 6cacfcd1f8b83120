-- CreateEnum
CREATE TYPE "TaskPriority" AS ENUM ('LOW', 'NORMAL', 'HIGH');

-- CreateEnum
CREATE TYPE "TaskStatus" AS ENUM ('OPEN', 'CLAIMED', 'DONE', 'CANCELLED');

-- CreateTable
CREATE TABLE "tasks" (
    "id" UUID NOT NULL,
    "occasion_id" UUID NOT NULL,
    "event_id" UUID,
    "kind" TEXT NOT NULL,
    "resource_type" TEXT NOT NULL,
    "resource_id" UUID NOT NULL,
    "title" TEXT NOT NULL,
    "owner_actor_id" UUID,
    "assignee_actor_id" UUID,
    "candidate_actor_ids" UUID[],
    "candidate_role" TEXT,
    "due_at" TIMESTAMPTZ(3),
    "follow_up_at" TIMESTAMPTZ(3),
    "priority" "TaskPriority" NOT NULL DEFAULT 'NORMAL',
    "status" "TaskStatus" NOT NULL DEFAULT 'OPEN',
    "completed_at" TIMESTAMPTZ(3),
    "completed_by_actor_id" UUID,
    "outcome" TEXT,
    "revision" INTEGER NOT NULL DEFAULT 0,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "tasks_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "tasks_occasion_id_status_id_idx" ON "tasks"("occasion_id", "status", "id");

-- CreateIndex
CREATE INDEX "tasks_occasion_id_assignee_actor_id_idx" ON "tasks"("occasion_id", "assignee_actor_id");

-- CreateIndex
CREATE INDEX "tasks_occasion_id_kind_resource_id_idx" ON "tasks"("occasion_id", "kind", "resource_id");

-- CreateIndex
CREATE INDEX "tasks_event_id_idx" ON "tasks"("event_id");

-- AddForeignKey
ALTER TABLE "tasks" ADD CONSTRAINT "tasks_occasion_id_fkey" FOREIGN KEY ("occasion_id") REFERENCES "occasions"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "tasks" ADD CONSTRAINT "tasks_event_id_fkey" FOREIGN KEY ("event_id") REFERENCES "events"("id") ON DELETE CASCADE ON UPDATE CASCADE;

