-- CreateIndex
CREATE INDEX "actors_user_id_idx" ON "actors"("user_id");

