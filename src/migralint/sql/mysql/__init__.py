"""MySQL and MariaDB through sqlglot: split.py (statements as each tool splits them), parse.py
(text -> ir.ParsedFile), statements.py / alter.py / commands.py (what each statement does),
online_ddl.py (what an ALTER costs on InnoDB), sqltext.py (help SQL),
readings.py (what the rules read in Statement.raw), front_end.py (what the engine calls).
Nothing is imported here: the rules import readings.py without loading sqlglot."""
