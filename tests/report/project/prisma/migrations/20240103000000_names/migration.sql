-- Größe und Gewicht ☕: non-ASCII text before the finding, on its line too.
SET lock_timeout = '5s'; SELECT 'é☕'; CREATE INDEX "User_name_idx" ON "User"("name");
