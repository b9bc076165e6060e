"""The MySQL front end: statements split as each tool splits them, spans in characters, comments,
Commands read or marked not understood, syntax errors told apart from what sqlglot lacks."""

from __future__ import annotations

import time

from migralint.sql import ir
from migralint.sql.dialect import Dialect
from migralint.sql.mysql.online_ddl import Server
from migralint.sql.mysql.parse import parse_file


def texts(sql: str) -> list[str]:
    parsed = parse_file(sql)
    return [sql[s.start : s.end] for s in parsed.statements]


def test_spans_are_characters_after_non_ascii_text() -> None:
    sql = "-- ☕ é\nCREATE TABLE `Café` (`naïve` INT);\nALTER TABLE `Café` ADD COLUMN `ü` INT;\n"
    parsed = parse_file(sql)
    assert parsed.dialect is Dialect.MYSQL
    assert texts(sql) == ["CREATE TABLE `Café` (`naïve` INT)", "ALTER TABLE `Café` ADD COLUMN `ü` INT"]
    alter = parsed.statements[1]
    assert parsed.index.position(alter.start) == (3, 1)
    (span,) = alter.event_spans
    assert sql[span[0] : span[1]] == "ADD COLUMN `ü` INT"
    assert parsed.statements[0].events == (
        ir.CreateTable(ir.TableName("", "Café"), (ir.Column("naïve", "int"),)),
    )


def test_drizzle_breakpoints_split_and_are_no_syntax_error() -> None:
    sql = "CREATE TABLE `a` (`id` int);\n--> statement-breakpoint\nCREATE INDEX `i` ON `a` (`id`);"
    parsed = parse_file(sql)
    assert texts(sql) == ["CREATE TABLE `a` (`id` int)", "CREATE INDEX `i` ON `a` (`id`)"]
    assert not parsed.statement_errors and parsed.syntax_error is None


def test_delimiter_blocks_are_one_statement_each() -> None:
    sql = (
        "DELIMITER //\n"
        "CREATE PROCEDURE `p`() BEGIN\n  IF 1 THEN SELECT 1; END IF;\n  SELECT 2;\nEND//\n"
        "DELIMITER ;\n"
        "ALTER TABLE `t` ADD COLUMN `c` INT;\n"
    )
    parsed = parse_file(sql)
    assert [s.kind for s in parsed.statements] == [ir.Kind.CREATE_OTHER, ir.Kind.ALTER_TABLE]
    assert texts(sql)[0].endswith("END")
    assert not parsed.statement_errors


def test_a_routine_body_without_delimiter_is_one_statement() -> None:
    sql = "CREATE PROCEDURE p() BEGIN SELECT CASE WHEN 1 THEN 2 END; SELECT 3; END;\nDROP TABLE `x`;"
    assert texts(sql) == ["CREATE PROCEDURE p() BEGIN SELECT CASE WHEN 1 THEN 2 END; SELECT 3; END", "DROP TABLE `x`"]


def test_goose_statement_blocks_and_comments() -> None:
    sql = (
        "-- +goose Up\n-- +goose StatementBegin\nCREATE TRIGGER t BEFORE INSERT ON a FOR EACH ROW BEGIN SET NEW.x = 1; END;\n"
        "-- +goose StatementEnd\nALTER TABLE a ADD b INT; # trailing\n/* block */ DROP TABLE c;\n"
    )
    parsed = parse_file(sql)
    assert len(parsed.statements) == 3
    assert [c.text for c in parsed.comments] == [
        "-- +goose Up", "-- +goose StatementBegin", "-- +goose StatementEnd", "# trailing", "/* block */"]
    assert [c.own_line for c in parsed.comments] == [True, True, True, False, True]


def test_commands_are_read_or_not_understood() -> None:
    sql = (
        "RENAME TABLE `a` TO `b`, c TO d;\n"
        "ALTER TABLE `t` CONVERT TO CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;\n"
        "CREATE FULLTEXT INDEX `f` ON `t` (`body`);\n"
        "CALL do_things();\n"
        "ALTER TABLE `t` MODIFY;\n"
    )
    rename, convert, fulltext, call, broken = parse_file(sql).statements
    assert rename.kind is ir.Kind.RENAME_TABLE and rename.understood
    assert rename.events == (ir.RenameTable(ir.TableName("", "a"), ir.TableName("", "b")),
                             ir.RenameTable(ir.TableName("", "c"), ir.TableName("", "d")))
    assert convert.understood and convert.locks[0].work is ir.Work.COPY
    assert convert.locks[0].blocks == ir.Blocks.DDL | ir.Blocks.WRITES
    assert fulltext.kind is ir.Kind.CREATE_INDEX and fulltext.events[0].online is False  # type: ignore[union-attr]
    assert not call.understood and call.kind is ir.Kind.OTHER
    # sqlglot takes any ALTER it cannot parse for a Command: never harmless, never a syntax error.
    assert not broken.understood and broken.kind is ir.Kind.ALTER_TABLE
    assert broken.tables == (ir.TableName("", "t"),) and broken.events == ()


def test_syntax_errors_are_per_statement_and_valid_mysql_sqlglot_lacks_is_not_one() -> None:
    sql = "SELECT 1;\nDROP TABLE `a`\nDROP TABLE `b`;\nDEALLOCATE PREPARE stmt;\nCREATE TABLE `g` (`p` POINT NOT NULL);\nDROP TABLE `z`;"
    parsed = parse_file(sql)
    (problem,) = parsed.statement_errors
    assert parsed.index.position(problem.offset) == (3, 1)  # the second DROP
    kinds = [s.kind for s in parsed.statements]
    assert kinds == [ir.Kind.SELECT, ir.Kind.OTHER, ir.Kind.OTHER, ir.Kind.CREATE_TABLE, ir.Kind.DROP_TABLE]
    assert parsed.statements[3].events == (ir.CreateTable(ir.TableName("", "g")),)


def test_an_unterminated_string_stops_the_file_where_its_statement_starts() -> None:
    sql = "ALTER TABLE a ADD b INT;\nUPDATE a SET b = 'x;\n"
    parsed = parse_file(sql)
    assert len(parsed.statements) == 1
    assert parsed.syntax_error is not None and parsed.index.position(parsed.syntax_error.offset) == (2, 1)


def test_online_ddl_costs_by_version() -> None:
    sql = "ALTER TABLE t ADD COLUMN c INT AFTER b;"
    recent = parse_file(sql).statements[0].locks[0]
    assert recent.work is None and recent.blocks == ir.Blocks.DDL
    old = parse_file(sql, Server((8, 0, 20))).statements[0].locks[0]
    assert old.work is ir.Work.REWRITE and old.blocks == ir.Blocks.DDL
    mariadb = parse_file(sql, Server((8, 4), (10, 3, 7))).statements[0].locks[0]
    assert mariadb.work is ir.Work.REWRITE


def test_algorithm_and_lock_assertions() -> None:
    copy, refused, auto = parse_file(
        "ALTER TABLE t ADD COLUMN c INT, ALGORITHM=COPY;\n"
        "ALTER TABLE t ADD COLUMN g INT AS (a + 1) STORED, ALGORITHM=INPLACE, LOCK=NONE;\n"
        "ALTER TABLE t ADD COLUMN id BIGINT AUTO_INCREMENT UNIQUE;\n"
    ).statements
    assert copy.locks[0].work is ir.Work.COPY
    assert refused.locks[0].work is None  # MySQL refuses it rather than copy: no lock held through a copy
    assert auto.locks[0].blocks == ir.Blocks.DDL | ir.Blocks.WRITES and auto.locks[0].work is ir.Work.REWRITE


def test_ddl_commits_implicitly_and_data_changes_do_not() -> None:
    statements = parse_file("BEGIN;\nUPDATE t SET a = 1;\nCREATE INDEX i ON t (a);\nCOMMIT;").statements
    assert [(s.kind, s.implicit_commit, s.tx) for s in statements] == [
        (ir.Kind.TRANSACTION, False, ir.Tx.BEGIN),
        (ir.Kind.UPDATE, False, None),
        (ir.Kind.CREATE_INDEX, True, None),
        (ir.Kind.TRANSACTION, False, ir.Tx.COMMIT),
    ]
    assert statements[1].events == (ir.DataChange(ir.TableName("", "t"), "update", True),)


def test_deeply_nested_brackets_are_not_understood_and_do_not_hang() -> None:
    # sqlglot's time doubles with each ARRAY[ level (4 s at 18); a fuzzed file ran for minutes.
    deep = "SELECT " + "ARRAY[" * 40 + "1" + "]" * 40 + ";\nALTER TABLE `t` DROP COLUMN `c`;\n"
    started = time.monotonic()
    parsed = parse_file(deep)
    assert time.monotonic() - started < 5
    first, second = parsed.statements
    assert not first.understood and first.node_type == "TooDeep"
    assert second.understood and second.kind is ir.Kind.ALTER_TABLE
