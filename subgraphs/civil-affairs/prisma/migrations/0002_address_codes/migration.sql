-- AlterTable
ALTER TABLE "civil_record" ADD COLUMN     "building_id" TEXT,
ADD COLUMN     "community_id" TEXT,
ADD COLUMN     "grid_id" TEXT;

-- CreateIndex
CREATE INDEX "civil_record_grid_id_idx" ON "civil_record"("grid_id");

