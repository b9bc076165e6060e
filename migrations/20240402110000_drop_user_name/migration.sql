-- The app stopped reading "name" in release 2.3, two weeks before this migration.
-- migralint: ignore ban-drop-column -- unused since release 2.3 (see PR #412)
ALTER TABLE "User" DROP COLUMN "name";
