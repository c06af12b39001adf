-- AlterTable
ALTER TABLE "person" ADD COLUMN     "building_id" TEXT,
ADD COLUMN     "community_id" TEXT,
ADD COLUMN     "grid_id" TEXT;

-- CreateIndex
CREATE INDEX "person_grid_id_idx" ON "person"("grid_id");

-- CreateIndex
CREATE INDEX "person_building_id_idx" ON "person"("building_id");

