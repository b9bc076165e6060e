"""SQL Server's own rules: they read the statement model the SQL Server front end builds."""
