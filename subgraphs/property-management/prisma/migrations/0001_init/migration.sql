-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "public";

-- CreateEnum
CREATE TYPE "ResidenceRole" AS ENUM ('OWNER', 'TENANT', 'FAMILY_MEMBER');

-- CreateEnum
CREATE TYPE "RepairCategory" AS ENUM ('PLUMBING', 'ELECTRICAL', 'ELEVATOR', 'DOOR_AND_WINDOW', 'HEATING', 'LEAKAGE', 'PUBLIC_AREA');

-- CreateEnum
CREATE TYPE "RepairStatus" AS ENUM ('OPEN', 'IN_PROGRESS', 'CLOSED');

-- CreateTable
CREATE TABLE "property_company" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "phone" TEXT NOT NULL,

    CONSTRAINT "property_company_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "building" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "address" TEXT NOT NULL,
    "community_id" TEXT NOT NULL,
    "grid_id" TEXT NOT NULL,
    "company_id" TEXT NOT NULL,
    "floors" INTEGER NOT NULL,
    "has_elevator" BOOLEAN NOT NULL,
    "built_year" INTEGER NOT NULL,

    CONSTRAINT "building_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "unit" (
    "id" TEXT NOT NULL,
    "building_id" TEXT NOT NULL,
    "number" TEXT NOT NULL,
    "floor" INTEGER NOT NULL,
    "area_sqm" INTEGER NOT NULL,

    CONSTRAINT "unit_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "residence" (
    "id" TEXT NOT NULL,
    "citizen_id" TEXT NOT NULL,
    "unit_id" TEXT NOT NULL,
    "role" "ResidenceRole" NOT NULL,
    "moved_in" DATE NOT NULL,
    "moved_out" DATE,

    CONSTRAINT "residence_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "fee_account" (
    "id" TEXT NOT NULL,
    "citizen_id" TEXT NOT NULL,
    "unit_id" TEXT NOT NULL,
    "balance_cents" INTEGER NOT NULL,
    "months_in_arrears" INTEGER NOT NULL,

    CONSTRAINT "fee_account_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "repair_request" (
    "id" TEXT NOT NULL,
    "citizen_id" TEXT NOT NULL,
    "unit_id" TEXT NOT NULL,
    "category" "RepairCategory" NOT NULL,
    "description" TEXT NOT NULL,
    "status" "RepairStatus" NOT NULL,
    "opened_at" TIMESTAMP(3) NOT NULL,
    "closed_at" TIMESTAMP(3),

    CONSTRAINT "repair_request_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "seed_info" (
    "id" INTEGER NOT NULL DEFAULT 1,
    "citizens" INTEGER NOT NULL,
    "seed" INTEGER NOT NULL,
    "as_of" DATE NOT NULL,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "seed_info_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "building_grid_id_idx" ON "building"("grid_id");

-- CreateIndex
CREATE INDEX "building_community_id_idx" ON "building"("community_id");

-- CreateIndex
CREATE INDEX "building_company_id_idx" ON "building"("company_id");

-- CreateIndex
CREATE INDEX "unit_building_id_id_idx" ON "unit"("building_id", "id");

-- CreateIndex
CREATE INDEX "residence_citizen_id_idx" ON "residence"("citizen_id");

-- CreateIndex
CREATE INDEX "residence_unit_id_idx" ON "residence"("unit_id");

-- CreateIndex
CREATE UNIQUE INDEX "fee_account_unit_id_key" ON "fee_account"("unit_id");

-- CreateIndex
CREATE INDEX "fee_account_citizen_id_idx" ON "fee_account"("citizen_id");

-- CreateIndex
CREATE INDEX "repair_request_citizen_id_opened_at_idx" ON "repair_request"("citizen_id", "opened_at");

-- CreateIndex
CREATE INDEX "repair_request_status_idx" ON "repair_request"("status");

-- AddForeignKey
ALTER TABLE "building" ADD CONSTRAINT "building_company_id_fkey" FOREIGN KEY ("company_id") REFERENCES "property_company"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "unit" ADD CONSTRAINT "unit_building_id_fkey" FOREIGN KEY ("building_id") REFERENCES "building"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "residence" ADD CONSTRAINT "residence_unit_id_fkey" FOREIGN KEY ("unit_id") REFERENCES "unit"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

