-- CreateEnum
CREATE TYPE "IntegrationRole" AS ENUM ('PARTNER', 'PLATFORM');

-- CreateEnum
CREATE TYPE "IntegrationFlag" AS ENUM ('INBOUND', 'OUTBOUND', 'SYNC', 'EVENT_DRIVEN');

-- CreateEnum
CREATE TYPE "IntegrationEnvironment" AS ENUM ('DEVELOPMENT', 'STAGING', 'PRODUCTION');

-- CreateEnum
CREATE TYPE "IntegrationStatus" AS ENUM ('DEFINED', 'CONFIGURED', 'ENABLED', 'ACTIVE', 'DISABLED', 'REVOKED', 'ARCHIVED');

-- AlterTable
ALTER TABLE "audit_log" ADD COLUMN     "operation_id" TEXT;

-- CreateTable
CREATE TABLE "integration_apps" (
    "id" UUID NOT NULL,
    "display_name" TEXT NOT NULL,
    "business_role" "IntegrationRole" NOT NULL,
    "flags" "IntegrationFlag"[],
    "partner_ref" TEXT,
    "environment" "IntegrationEnvironment" NOT NULL,
    "status" "IntegrationStatus" NOT NULL DEFAULT 'DEFINED',
    "expires_at" TIMESTAMPTZ(3),
    "config" JSONB NOT NULL DEFAULT '{}',
    "allowed_operation_ids" TEXT[],
    "created_by_user_id" UUID,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "status_changed_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "integration_apps_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "integration_connections" (
    "id" UUID NOT NULL,
    "integration_id" UUID NOT NULL,
    "occasion_id" UUID,
    "config" JSONB NOT NULL DEFAULT '{}',
    "event_ids" UUID[],
    "mapping" JSONB NOT NULL DEFAULT '{}',
    "disabled_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "integration_connections_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "integration_credentials" (
    "id" UUID NOT NULL,
    "integration_id" UUID NOT NULL,
    "key_id" TEXT NOT NULL,
    "secret_hash" TEXT NOT NULL,
    "secret_hint" TEXT NOT NULL,
    "expires_at" TIMESTAMPTZ(3),
    "revoked_at" TIMESTAMPTZ(3),
    "last_used_at" TIMESTAMPTZ(3),
    "created_by_user_id" UUID,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "integration_credentials_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "integration_secrets" (
    "id" UUID NOT NULL,
    "integration_id" UUID NOT NULL,
    "connection_id" UUID,
    "name" TEXT NOT NULL,
    "value_enc" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "revoked_at" TIMESTAMPTZ(3),

    CONSTRAINT "integration_secrets_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "integration_connections_occasion_id_idx" ON "integration_connections"("occasion_id");

-- CreateIndex
CREATE UNIQUE INDEX "integration_connections_integration_id_occasion_id_key" ON "integration_connections"("integration_id", "occasion_id");

-- CreateIndex
CREATE UNIQUE INDEX "integration_credentials_key_id_key" ON "integration_credentials"("key_id");

-- CreateIndex
CREATE INDEX "integration_credentials_integration_id_idx" ON "integration_credentials"("integration_id");

-- CreateIndex
CREATE INDEX "integration_secrets_integration_id_name_idx" ON "integration_secrets"("integration_id", "name");

-- CreateIndex
CREATE INDEX "audit_log_integration_id_id_idx" ON "audit_log"("integration_id", "id");

-- AddForeignKey
ALTER TABLE "integration_connections" ADD CONSTRAINT "integration_connections_integration_id_fkey" FOREIGN KEY ("integration_id") REFERENCES "integration_apps"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "integration_connections" ADD CONSTRAINT "integration_connections_occasion_id_fkey" FOREIGN KEY ("occasion_id") REFERENCES "occasions"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "integration_credentials" ADD CONSTRAINT "integration_credentials_integration_id_fkey" FOREIGN KEY ("integration_id") REFERENCES "integration_apps"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "integration_secrets" ADD CONSTRAINT "integration_secrets_integration_id_fkey" FOREIGN KEY ("integration_id") REFERENCES "integration_apps"("id") ON DELETE CASCADE ON UPDATE CASCADE;

