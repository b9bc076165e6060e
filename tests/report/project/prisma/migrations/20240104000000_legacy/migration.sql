SET lock_timeout = '5s';
-- migralint: ignore ban-drop-column -- unused since release 2.3, "quoted", 100% sure
ALTER TABLE "User" DROP COLUMN "legacy";
ALTER TABLE "User" ALTER COLUMN "name" DROP NOT NULL;
