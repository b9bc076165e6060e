-- Give up after 5 seconds instead of queueing every query on "User" behind a long one.
SET lock_timeout = '5s';

-- AlterTable: a nullable column, and a constant default (no rewrite since PostgreSQL 11).
ALTER TABLE "User" ADD COLUMN "bio" TEXT,
ADD COLUMN "newsletter" BOOLEAN NOT NULL DEFAULT false;
