-- AlterTable: fails as soon as "User" has a row.
ALTER TABLE "User" ADD COLUMN "plan" TEXT NOT NULL;
