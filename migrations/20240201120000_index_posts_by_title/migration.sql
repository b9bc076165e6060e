-- CreateIndex: "Post" already holds rows in production, and this blocks every write to it.
CREATE INDEX "Post_title_idx" ON "Post"("title");
