-- CreateTable
CREATE TABLE "content_translations" (
    "id" UUID NOT NULL,
    "occasion_id" UUID NOT NULL,
    "resource_type" TEXT NOT NULL,
    "resource_id" UUID NOT NULL,
    "event_id" UUID,
    "field" TEXT NOT NULL,
    "locale" TEXT NOT NULL,
    "value" TEXT NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "content_translations_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "content_translations_occasion_id_locale_idx" ON "content_translations"("occasion_id", "locale");

-- CreateIndex
CREATE INDEX "content_translations_event_id_idx" ON "content_translations"("event_id");

-- CreateIndex
CREATE UNIQUE INDEX "content_translations_resource_type_resource_id_field_locale_key" ON "content_translations"("resource_type", "resource_id", "field", "locale");

-- AddForeignKey
ALTER TABLE "content_translations" ADD CONSTRAINT "content_translations_occasion_id_fkey" FOREIGN KEY ("occasion_id") REFERENCES "occasions"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "content_translations" ADD CONSTRAINT "content_translations_event_id_fkey" FOREIGN KEY ("event_id") REFERENCES "events"("id") ON DELETE CASCADE ON UPDATE CASCADE;

