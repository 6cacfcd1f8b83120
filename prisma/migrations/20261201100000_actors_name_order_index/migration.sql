-- Actor lists are ordered by (display_name, id) and paged by that key. Display names repeat ("The Cohen family"):
-- without id in the index, PostgreSQL sorts every row of the tied names before it can stop at the page size,
-- and the overview's households page joined tags and members for all of them (289 rows for 51 with 20,000
-- households, growing with the guest list). With id, the index returns the page in order and the scan stops.
-- DropIndex
DROP INDEX "actors_occasion_id_kind_display_name_idx";

-- CreateIndex
CREATE INDEX "actors_occasion_id_kind_display_name_id_idx" ON "actors"("occasion_id", "kind", "display_name", "id");
