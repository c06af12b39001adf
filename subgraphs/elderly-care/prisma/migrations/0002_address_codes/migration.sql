-- AlterTable
ALTER TABLE "elder_profile" ADD COLUMN     "building_id" TEXT;

