-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "public";

-- CreateEnum
CREATE TYPE "LivingArrangement" AS ENUM ('ALONE', 'EMPTY_NEST', 'WITH_FAMILY', 'INSTITUTION');

-- CreateEnum
CREATE TYPE "PriorityCategory" AS ENUM ('LIVING_ALONE_OR_EMPTY_NEST', 'AGED_80_PLUS', 'DISABLED_OR_PARTLY_DISABLED', 'ECONOMIC_HARDSHIP', 'NO_FAMILY');

-- CreateEnum
CREATE TYPE "ProfileStatus" AS ENUM ('ACTIVE', 'CLOSED');

-- CreateEnum
CREATE TYPE "ServiceType" AS ENUM ('MEAL_DELIVERY', 'CLEANING', 'BATHING', 'MEDICAL_ESCORT', 'HOME_VISIT');

-- CreateEnum
CREATE TYPE "ServiceOrderStatus" AS ENUM ('SCHEDULED', 'IN_PROGRESS', 'COMPLETED', 'CANCELLED');

-- CreateEnum
CREATE TYPE "VisitorRole" AS ENUM ('GRID_WORKER', 'SOCIAL_WORKER');

-- CreateEnum
CREATE TYPE "AlarmKind" AS ENUM ('SOS_BUTTON', 'FALL_DETECTED', 'SMOKE', 'GAS_LEAK', 'INACTIVITY');

-- CreateTable
CREATE TABLE "elder_profile" (
    "citizen_id" TEXT NOT NULL,
    "grid_id" TEXT NOT NULL,
    "community_id" TEXT NOT NULL,
    "care_level" INTEGER NOT NULL,
    "living_arrangement" "LivingArrangement" NOT NULL,
    "categories" "PriorityCategory"[],
    "is_priority" BOOLEAN NOT NULL,
    "status" "ProfileStatus" NOT NULL,
    "registered_at" DATE NOT NULL,
    "closed_at" DATE,

    CONSTRAINT "elder_profile_pkey" PRIMARY KEY ("citizen_id")
);

-- CreateTable
CREATE TABLE "emergency_contact" (
    "id" TEXT NOT NULL,
    "citizen_id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "relation" TEXT NOT NULL,
    "phone" TEXT NOT NULL,
    "priority" INTEGER NOT NULL,

    CONSTRAINT "emergency_contact_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "service_order" (
    "id" TEXT NOT NULL,
    "citizen_id" TEXT NOT NULL,
    "type" "ServiceType" NOT NULL,
    "provider" TEXT NOT NULL,
    "scheduled_at" TIMESTAMP(3) NOT NULL,
    "status" "ServiceOrderStatus" NOT NULL,
    "rating" INTEGER,
    "note" TEXT,

    CONSTRAINT "service_order_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "visit" (
    "id" TEXT NOT NULL,
    "citizen_id" TEXT NOT NULL,
    "visited_at" TIMESTAMP(3) NOT NULL,
    "visitor_name" TEXT NOT NULL,
    "visitor_role" "VisitorRole" NOT NULL,
    "notes" TEXT NOT NULL,

    CONSTRAINT "visit_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "alarm_call" (
    "id" TEXT NOT NULL,
    "citizen_id" TEXT NOT NULL,
    "kind" "AlarmKind" NOT NULL,
    "raised_at" TIMESTAMP(3) NOT NULL,
    "handled_at" TIMESTAMP(3),
    "handled_by" TEXT,
    "outcome" TEXT,

    CONSTRAINT "alarm_call_pkey" PRIMARY KEY ("id")
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
CREATE INDEX "elder_profile_grid_id_status_is_priority_citizen_id_idx" ON "elder_profile"("grid_id", "status", "is_priority", "citizen_id");

-- CreateIndex
CREATE INDEX "elder_profile_community_id_status_is_priority_citizen_id_idx" ON "elder_profile"("community_id", "status", "is_priority", "citizen_id");

-- CreateIndex
CREATE INDEX "elder_profile_living_arrangement_status_idx" ON "elder_profile"("living_arrangement", "status");

-- CreateIndex
CREATE INDEX "emergency_contact_citizen_id_idx" ON "emergency_contact"("citizen_id");

-- CreateIndex
CREATE INDEX "service_order_citizen_id_scheduled_at_idx" ON "service_order"("citizen_id", "scheduled_at");

-- CreateIndex
CREATE INDEX "service_order_status_citizen_id_idx" ON "service_order"("status", "citizen_id");

-- CreateIndex
CREATE INDEX "visit_citizen_id_visited_at_idx" ON "visit"("citizen_id", "visited_at");

-- CreateIndex
CREATE INDEX "alarm_call_citizen_id_raised_at_idx" ON "alarm_call"("citizen_id", "raised_at");

