-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "public";

-- CreateEnum
CREATE TYPE "Gender" AS ENUM ('MALE', 'FEMALE');

-- CreateEnum
CREATE TYPE "RegistrationStatus" AS ENUM ('REGISTERED', 'MOVED_OUT', 'DECEASED', 'NON_LOCAL');

-- CreateTable
CREATE TABLE "person" (
    "citizen_id" TEXT NOT NULL,
    "id_number" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "gender" "Gender" NOT NULL,
    "birth_date" DATE NOT NULL,
    "ethnicity" TEXT NOT NULL,
    "phone" TEXT,
    "status" "RegistrationStatus" NOT NULL,
    "status_date" DATE,
    "household_id" TEXT,
    "relation_to_head" TEXT,

    CONSTRAINT "person_pkey" PRIMARY KEY ("citizen_id")
);

-- CreateTable
CREATE TABLE "household" (
    "id" TEXT NOT NULL,
    "number" TEXT NOT NULL,
    "address" TEXT NOT NULL,
    "community_id" TEXT NOT NULL,
    "head_citizen_id" TEXT,
    "kind" TEXT NOT NULL DEFAULT 'FAMILY',
    "registered_at" DATE NOT NULL,

    CONSTRAINT "household_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "residence_permit" (
    "id" TEXT NOT NULL,
    "citizen_id" TEXT NOT NULL,
    "number" TEXT NOT NULL,
    "address" TEXT NOT NULL,
    "issued_at" DATE NOT NULL,
    "valid_until" DATE NOT NULL,

    CONSTRAINT "residence_permit_pkey" PRIMARY KEY ("id")
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
CREATE UNIQUE INDEX "person_id_number_key" ON "person"("id_number");

-- CreateIndex
CREATE INDEX "person_household_id_idx" ON "person"("household_id");

-- CreateIndex
CREATE INDEX "person_status_citizen_id_idx" ON "person"("status", "citizen_id");

-- CreateIndex
CREATE UNIQUE INDEX "household_number_key" ON "household"("number");

-- CreateIndex
CREATE INDEX "household_community_id_idx" ON "household"("community_id");

-- CreateIndex
CREATE UNIQUE INDEX "residence_permit_number_key" ON "residence_permit"("number");

-- CreateIndex
CREATE INDEX "residence_permit_citizen_id_idx" ON "residence_permit"("citizen_id");

-- AddForeignKey
ALTER TABLE "person" ADD CONSTRAINT "person_household_id_fkey" FOREIGN KEY ("household_id") REFERENCES "household"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "residence_permit" ADD CONSTRAINT "residence_permit_citizen_id_fkey" FOREIGN KEY ("citizen_id") REFERENCES "person"("citizen_id") ON DELETE RESTRICT ON UPDATE CASCADE;

