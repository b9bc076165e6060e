-- CreateTable
CREATE TABLE "User" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "legacy" TEXT,
    CONSTRAINT "User_pkey" PRIMARY KEY ("id")
);
