-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "public";

-- CreateEnum
CREATE TYPE "MaritalStatus" AS ENUM ('UNMARRIED', 'MARRIED', 'DIVORCED', 'WIDOWED');

-- CreateEnum
CREATE TYPE "SubsidyType" AS ENUM ('MINIMUM_LIVING_ALLOWANCE', 'EXTREME_POVERTY_SUPPORT', 'OLD_AGE_ALLOWANCE', 'DISABILITY_LIVING_ALLOWANCE', 'DISABILITY_CARE_ALLOWANCE');

-- CreateEnum
CREATE TYPE "SubsidyStatus" AS ENUM ('ACTIVE', 'SUSPENDED', 'ENDED');

-- CreateEnum
CREATE TYPE "DisabilityCategory" AS ENUM ('VISUAL', 'HEARING', 'SPEECH', 'PHYSICAL', 'INTELLECTUAL', 'MENTAL', 'MULTIPLE');

-- CreateTable
CREATE TABLE "street_office" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "district" TEXT NOT NULL,

    CONSTRAINT "street_office_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "community" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "address" TEXT NOT NULL,
    "street_office_id" TEXT NOT NULL,

    CONSTRAINT "community_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "grid" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "community_id" TEXT NOT NULL,
    "worker_name" TEXT NOT NULL,
    "worker_phone" TEXT NOT NULL,

    CONSTRAINT "grid_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "civil_record" (
    "citizen_id" TEXT NOT NULL,
    "marital_status" "MaritalStatus" NOT NULL,

    CONSTRAINT "civil_record_pkey" PRIMARY KEY ("citizen_id")
);

-- CreateTable
CREATE TABLE "subsidy" (
    "id" TEXT NOT NULL,
    "citizen_id" TEXT NOT NULL,
    "type" "SubsidyType" NOT NULL,
    "monthly_amount_cents" INTEGER NOT NULL,
    "start_date" DATE NOT NULL,
    "end_date" DATE,
    "status" "SubsidyStatus" NOT NULL,

    CONSTRAINT "subsidy_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "disability_certificate" (
    "id" TEXT NOT NULL,
    "citizen_id" TEXT NOT NULL,
    "number" TEXT NOT NULL,
    "category" "DisabilityCategory" NOT NULL,
    "grade" INTEGER NOT NULL,
    "issued_at" DATE NOT NULL,

    CONSTRAINT "disability_certificate_pkey" PRIMARY KEY ("id")
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
CREATE INDEX "community_street_office_id_idx" ON "community"("street_office_id");

-- CreateIndex
CREATE INDEX "grid_community_id_idx" ON "grid"("community_id");

-- CreateIndex
CREATE INDEX "subsidy_citizen_id_idx" ON "subsidy"("citizen_id");

-- CreateIndex
CREATE INDEX "subsidy_status_citizen_id_idx" ON "subsidy"("status", "citizen_id");

-- CreateIndex
CREATE UNIQUE INDEX "disability_certificate_citizen_id_key" ON "disability_certificate"("citizen_id");

-- CreateIndex
CREATE UNIQUE INDEX "disability_certificate_number_key" ON "disability_certificate"("number");

-- AddForeignKey
ALTER TABLE "community" ADD CONSTRAINT "community_street_office_id_fkey" FOREIGN KEY ("street_office_id") REFERENCES "street_office"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "grid" ADD CONSTRAINT "grid_community_id_fkey" FOREIGN KEY ("community_id") REFERENCES "community"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

