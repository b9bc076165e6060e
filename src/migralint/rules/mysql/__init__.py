"""Rules for MySQL and MariaDB only (InnoDB's online DDL, metadata locks, implicit commits)."""
