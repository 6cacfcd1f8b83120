-- CreateEnum
CREATE TYPE "CommChannel" AS ENUM ('EMAIL', 'SMS');

-- CreateEnum
CREATE TYPE "CommKind" AS ENUM ('RSVP_INVITATION', 'RSVP_REMINDER', 'RSVP_CONFIRMATION', 'COLLABORATOR_INVITATION', 'ANNOUNCEMENT', 'THREAD_MESSAGE');

-- CreateEnum
CREATE TYPE "CommCategory" AS ENUM ('TRANSACTIONAL', 'INVITATIONS', 'ANNOUNCEMENTS');

-- CreateEnum
CREATE TYPE "CommDeliveryStatus" AS ENUM ('QUEUED', 'SENDING', 'SENT', 'DELIVERED', 'BOUNCED', 'COMPLAINED', 'FAILED', 'SUPPRESSED', 'CANCELLED');

-- CreateEnum
CREATE TYPE "CommSuppressionReason" AS ENUM ('HARD_BOUNCE', 'COMPLAINT', 'MANUAL');

-- AlterTable
ALTER TABLE "occasion_invitations" ADD COLUMN     "token_enc" TEXT;

-- CreateTable
CREATE TABLE "comm_templates" (
    "id" UUID NOT NULL,
    "occasion_id" UUID NOT NULL,
    "kind" "CommKind" NOT NULL,
    "channel" "CommChannel" NOT NULL,
    "locale" TEXT NOT NULL,
    "current_version" INTEGER NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "comm_templates_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "comm_template_versions" (
    "id" UUID NOT NULL,
    "template_id" UUID NOT NULL,
    "version" INTEGER NOT NULL,
    "subject" TEXT,
    "html" TEXT,
    "text" TEXT,
    "created_by_actor_id" UUID,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "comm_template_versions_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "comm_sends" (
    "id" UUID NOT NULL,
    "occasion_id" UUID NOT NULL,
    "kind" "CommKind" NOT NULL,
    "channel" "CommChannel" NOT NULL,
    "audience" JSONB NOT NULL DEFAULT '{}',
    "requested_by_actor_id" UUID,
    "reminder_run_id" UUID,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "comm_sends_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "comm_deliveries" (
    "id" UUID NOT NULL,
    "occasion_id" UUID NOT NULL,
    "send_id" UUID NOT NULL,
    "kind" "CommKind" NOT NULL,
    "category" "CommCategory" NOT NULL,
    "channel" "CommChannel" NOT NULL,
    "recipient_actor_id" UUID,
    "unit_actor_id" UUID,
    "address" TEXT NOT NULL,
    "locale" TEXT NOT NULL,
    "template_version_id" UUID,
    "idempotency_key" TEXT NOT NULL,
    "message_id" TEXT NOT NULL,
    "context" JSONB NOT NULL DEFAULT '{}',
    "secret_enc" TEXT,
    "status" "CommDeliveryStatus" NOT NULL DEFAULT 'QUEUED',
    "attempt_count" INTEGER NOT NULL DEFAULT 0,
    "next_attempt_at" TIMESTAMPTZ(3),
    "lease_until" TIMESTAMPTZ(3),
    "provider_message_id" TEXT,
    "last_error_class" TEXT,
    "last_error" TEXT,
    "queued_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "sending_at" TIMESTAMPTZ(3),
    "sent_at" TIMESTAMPTZ(3),
    "delivered_at" TIMESTAMPTZ(3),
    "opened_at" TIMESTAMPTZ(3),
    "bounced_at" TIMESTAMPTZ(3),
    "complained_at" TIMESTAMPTZ(3),
    "failed_at" TIMESTAMPTZ(3),
    "suppressed_at" TIMESTAMPTZ(3),
    "cancelled_at" TIMESTAMPTZ(3),

    CONSTRAINT "comm_deliveries_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "comm_attempts" (
    "id" UUID NOT NULL,
    "delivery_id" UUID NOT NULL,
    "number" INTEGER NOT NULL,
    "started_at" TIMESTAMPTZ(3) NOT NULL,
    "duration_ms" INTEGER NOT NULL,
    "outcome" TEXT NOT NULL,
    "error_class" TEXT,
    "error" TEXT,
    "response" TEXT,

    CONSTRAINT "comm_attempts_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "comm_preferences" (
    "id" UUID NOT NULL,
    "occasion_id" UUID NOT NULL,
    "actor_id" UUID NOT NULL,
    "category" "CommCategory" NOT NULL,
    "channel" "CommChannel" NOT NULL,
    "opted_out" BOOLEAN NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "comm_preferences_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "comm_suppressions" (
    "id" UUID NOT NULL,
    "occasion_id" UUID NOT NULL,
    "address" TEXT NOT NULL,
    "reason" "CommSuppressionReason" NOT NULL,
    "delivery_id" UUID,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "comm_suppressions_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "mailbox_messages" (
    "id" UUID NOT NULL,
    "occasion_id" UUID,
    "delivery_id" UUID,
    "message_id" TEXT NOT NULL,
    "from_addr" TEXT NOT NULL,
    "to_addr" TEXT NOT NULL,
    "subject" TEXT NOT NULL,
    "html" TEXT,
    "text" TEXT NOT NULL,
    "headers" JSONB NOT NULL DEFAULT '{}',
    "calendar" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "mailbox_messages_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "comm_reminders" (
    "id" UUID NOT NULL,
    "occasion_id" UUID NOT NULL,
    "event_id" UUID NOT NULL,
    "channel" "CommChannel" NOT NULL DEFAULT 'EMAIL',
    "days_before" INTEGER[],
    "statuses" TEXT[],
    "created_by_actor_id" UUID,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "cancelled_at" TIMESTAMPTZ(3),

    CONSTRAINT "comm_reminders_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "comm_reminder_runs" (
    "id" UUID NOT NULL,
    "reminder_id" UUID NOT NULL,
    "days_before" INTEGER NOT NULL,
    "deadline_at" TIMESTAMPTZ(3) NOT NULL,
    "due_at" TIMESTAMPTZ(3) NOT NULL,
    "ran_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "recipients" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "comm_reminder_runs_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "comm_threads" (
    "id" UUID NOT NULL,
    "occasion_id" UUID NOT NULL,
    "subject" TEXT NOT NULL,
    "counterpart_actor_id" UUID NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_message_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "comm_threads_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "comm_thread_messages" (
    "id" UUID NOT NULL,
    "thread_id" UUID NOT NULL,
    "side" TEXT NOT NULL,
    "author_actor_id" UUID,
    "body" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "comm_thread_messages_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "comm_thread_reads" (
    "thread_id" UUID NOT NULL,
    "reader_id" UUID NOT NULL,
    "last_read_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "comm_thread_reads_pkey" PRIMARY KEY ("thread_id","reader_id")
);

-- CreateIndex
CREATE UNIQUE INDEX "comm_templates_occasion_id_kind_channel_locale_key" ON "comm_templates"("occasion_id", "kind", "channel", "locale");

-- CreateIndex
CREATE UNIQUE INDEX "comm_template_versions_template_id_version_key" ON "comm_template_versions"("template_id", "version");

-- CreateIndex
CREATE UNIQUE INDEX "comm_sends_reminder_run_id_key" ON "comm_sends"("reminder_run_id");

-- CreateIndex
CREATE INDEX "comm_sends_occasion_id_created_at_idx" ON "comm_sends"("occasion_id", "created_at");

-- CreateIndex
CREATE UNIQUE INDEX "comm_deliveries_idempotency_key_key" ON "comm_deliveries"("idempotency_key");

-- CreateIndex
CREATE UNIQUE INDEX "comm_deliveries_message_id_key" ON "comm_deliveries"("message_id");

-- CreateIndex
CREATE INDEX "comm_deliveries_status_next_attempt_at_idx" ON "comm_deliveries"("status", "next_attempt_at");

-- CreateIndex
CREATE INDEX "comm_deliveries_occasion_id_recipient_actor_id_idx" ON "comm_deliveries"("occasion_id", "recipient_actor_id");

-- CreateIndex
CREATE INDEX "comm_deliveries_occasion_id_unit_actor_id_kind_idx" ON "comm_deliveries"("occasion_id", "unit_actor_id", "kind");

-- CreateIndex
CREATE INDEX "comm_deliveries_send_id_idx" ON "comm_deliveries"("send_id");

-- CreateIndex
CREATE INDEX "comm_attempts_delivery_id_number_idx" ON "comm_attempts"("delivery_id", "number");

-- CreateIndex
CREATE INDEX "comm_preferences_occasion_id_idx" ON "comm_preferences"("occasion_id");

-- CreateIndex
CREATE UNIQUE INDEX "comm_preferences_actor_id_category_channel_key" ON "comm_preferences"("actor_id", "category", "channel");

-- CreateIndex
CREATE UNIQUE INDEX "comm_suppressions_occasion_id_address_key" ON "comm_suppressions"("occasion_id", "address");

-- CreateIndex
CREATE INDEX "mailbox_messages_occasion_id_created_at_idx" ON "mailbox_messages"("occasion_id", "created_at");

-- CreateIndex
CREATE INDEX "comm_reminders_occasion_id_idx" ON "comm_reminders"("occasion_id");

-- CreateIndex
CREATE INDEX "comm_reminders_event_id_idx" ON "comm_reminders"("event_id");

-- CreateIndex
CREATE UNIQUE INDEX "comm_reminder_runs_reminder_id_days_before_deadline_at_key" ON "comm_reminder_runs"("reminder_id", "days_before", "deadline_at");

-- CreateIndex
CREATE INDEX "comm_threads_occasion_id_last_message_at_idx" ON "comm_threads"("occasion_id", "last_message_at");

-- CreateIndex
CREATE INDEX "comm_threads_counterpart_actor_id_idx" ON "comm_threads"("counterpart_actor_id");

-- CreateIndex
CREATE INDEX "comm_thread_messages_thread_id_created_at_idx" ON "comm_thread_messages"("thread_id", "created_at");

-- AddForeignKey
ALTER TABLE "comm_templates" ADD CONSTRAINT "comm_templates_occasion_id_fkey" FOREIGN KEY ("occasion_id") REFERENCES "occasions"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "comm_template_versions" ADD CONSTRAINT "comm_template_versions_template_id_fkey" FOREIGN KEY ("template_id") REFERENCES "comm_templates"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "comm_sends" ADD CONSTRAINT "comm_sends_occasion_id_fkey" FOREIGN KEY ("occasion_id") REFERENCES "occasions"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "comm_deliveries" ADD CONSTRAINT "comm_deliveries_send_id_fkey" FOREIGN KEY ("send_id") REFERENCES "comm_sends"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "comm_deliveries" ADD CONSTRAINT "comm_deliveries_template_version_id_fkey" FOREIGN KEY ("template_version_id") REFERENCES "comm_template_versions"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "comm_attempts" ADD CONSTRAINT "comm_attempts_delivery_id_fkey" FOREIGN KEY ("delivery_id") REFERENCES "comm_deliveries"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "comm_preferences" ADD CONSTRAINT "comm_preferences_actor_id_fkey" FOREIGN KEY ("actor_id") REFERENCES "actors"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "comm_suppressions" ADD CONSTRAINT "comm_suppressions_occasion_id_fkey" FOREIGN KEY ("occasion_id") REFERENCES "occasions"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "mailbox_messages" ADD CONSTRAINT "mailbox_messages_occasion_id_fkey" FOREIGN KEY ("occasion_id") REFERENCES "occasions"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "comm_reminders" ADD CONSTRAINT "comm_reminders_occasion_id_fkey" FOREIGN KEY ("occasion_id") REFERENCES "occasions"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "comm_reminders" ADD CONSTRAINT "comm_reminders_event_id_fkey" FOREIGN KEY ("event_id") REFERENCES "events"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "comm_reminder_runs" ADD CONSTRAINT "comm_reminder_runs_reminder_id_fkey" FOREIGN KEY ("reminder_id") REFERENCES "comm_reminders"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "comm_threads" ADD CONSTRAINT "comm_threads_occasion_id_fkey" FOREIGN KEY ("occasion_id") REFERENCES "occasions"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "comm_threads" ADD CONSTRAINT "comm_threads_counterpart_actor_id_fkey" FOREIGN KEY ("counterpart_actor_id") REFERENCES "actors"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "comm_thread_messages" ADD CONSTRAINT "comm_thread_messages_thread_id_fkey" FOREIGN KEY ("thread_id") REFERENCES "comm_threads"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "comm_thread_reads" ADD CONSTRAINT "comm_thread_reads_thread_id_fkey" FOREIGN KEY ("thread_id") REFERENCES "comm_threads"("id") ON DELETE CASCADE ON UPDATE CASCADE;


-- Wakes message senders at commit (as outbox_events_notify does for the webhook relay): a delivery written in
-- the transaction that decided to send is picked up as soon as that transaction commits.
-- Listeners: src/domains/communications/sender/runtime.ts.
CREATE FUNCTION "comm_deliveries_notify"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('comm_deliveries', '');
  RETURN NULL;
END
$$;

CREATE TRIGGER "comm_deliveries_notify" AFTER INSERT ON "comm_deliveries" FOR EACH STATEMENT EXECUTE FUNCTION "comm_deliveries_notify"();
