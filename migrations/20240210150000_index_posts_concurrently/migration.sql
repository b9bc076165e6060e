-- CreateIndex: alone in its migration, so Prisma runs it outside a transaction.
CREATE INDEX CONCURRENTLY "Post_published_idx" ON "Post"("published");
