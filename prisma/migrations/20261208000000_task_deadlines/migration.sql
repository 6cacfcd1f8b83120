-- Collaboration's deadline scan: a task remembers when it was reminded and when it was escalated as overdue (so
-- each happens once per date), and Communications gets the two kinds of message it sends for them.
-- AlterEnum
ALTER TYPE "CommKind" ADD VALUE 'TASK_REMINDER';
ALTER TYPE "CommKind" ADD VALUE 'TASK_OVERDUE';

-- AlterTable
ALTER TABLE "tasks" ADD COLUMN     "overdue_at" TIMESTAMPTZ(3),
ADD COLUMN     "reminded_at" TIMESTAMPTZ(3);

-- CreateIndex
CREATE INDEX "tasks_status_due_at_idx" ON "tasks"("status", "due_at");

-- CreateIndex
CREATE INDEX "tasks_status_follow_up_at_idx" ON "tasks"("status", "follow_up_at");
