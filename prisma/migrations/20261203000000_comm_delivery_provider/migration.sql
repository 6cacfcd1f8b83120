-- AlterTable
ALTER TABLE "comm_deliveries" ADD COLUMN     "provider_integration_id" UUID;

-- CreateIndex
CREATE INDEX "comm_deliveries_provider_integration_id_provider_message_id_idx" ON "comm_deliveries"("provider_integration_id", "provider_message_id");

