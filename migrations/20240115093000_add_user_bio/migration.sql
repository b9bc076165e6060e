-- AlterTable: a nullable column, and a constant default (no rewrite since PostgreSQL 11).
ALTER TABLE "User" ADD COLUMN "bio" TEXT,
ADD COLUMN "newsletter" BOOLEAN NOT NULL DEFAULT false;
