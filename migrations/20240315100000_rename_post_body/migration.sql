-- AlterTable: the running app still reads "body".
ALTER TABLE "Post" RENAME COLUMN "body" TO "content";
