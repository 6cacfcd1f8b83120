-- CreateTable
CREATE TABLE "asset_storage_deletions" (
    "storage_key" TEXT NOT NULL,
    "due_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "last_error" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "asset_storage_deletions_pkey" PRIMARY KEY ("storage_key")
);

-- CreateIndex
CREATE INDEX "asset_storage_deletions_due_at_idx" ON "asset_storage_deletions"("due_at");

-- CreateIndex
CREATE INDEX "audit_log_target_type_target_id_id_idx" ON "audit_log"("target_type", "target_id", "id");


-- Objects follow their rows: a row that goes (or moves to another key) leaves its old key to delete, and a row that
-- takes a key cancels any deletion pending for it (an upload's intent, or a regenerated file at a key in use again).
CREATE FUNCTION "asset_storage_follow_rows"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') AND (TG_OP = 'DELETE' OR OLD."storage_key" IS DISTINCT FROM NEW."storage_key") THEN
    INSERT INTO "asset_storage_deletions" ("storage_key", "due_at") VALUES (OLD."storage_key", now())
    ON CONFLICT ("storage_key") DO UPDATE SET "due_at" = LEAST("asset_storage_deletions"."due_at", EXCLUDED."due_at");
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') AND (TG_OP = 'INSERT' OR OLD."storage_key" IS DISTINCT FROM NEW."storage_key") THEN
    DELETE FROM "asset_storage_deletions" WHERE "storage_key" = NEW."storage_key";
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER "assets_storage_follow_rows" AFTER INSERT OR DELETE OR UPDATE OF "storage_key" ON "assets"
  FOR EACH ROW EXECUTE FUNCTION "asset_storage_follow_rows"();
CREATE TRIGGER "asset_variants_storage_follow_rows" AFTER INSERT OR DELETE OR UPDATE OF "storage_key" ON "asset_variants"
  FOR EACH ROW EXECUTE FUNCTION "asset_storage_follow_rows"();
