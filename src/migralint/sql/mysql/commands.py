"""MySQL statements sqlglot leaves unparsed (`exp.Command`), read with patterns of their own.

sqlglot turns any statement it cannot parse into a Command and says nothing: RENAME TABLE,
ALTER TABLE ... CONVERT TO CHARACTER SET, CREATE FULLTEXT|SPATIAL INDEX, CREATE INDEX with
ALGORITHM=/LOCK=, OPTIMIZE TABLE (dialects-research.md 2.3). The forms below are read here; any
other Command is a statement not understood, never one taken as harmless.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from migralint.sql import ir
from migralint.sql.mysql import online_ddl as ddl
from migralint.sql.mysql.alter import index_cost

_NAME = r"(?:`(?:[^`]|``)+`|[\w$]+)"
_QUALIFIED = rf"(?P<{{group}}>{_NAME}(?:\s*\.\s*{_NAME})?)"
_RENAME_TABLE = re.compile(r"RENAME\s+TABLES?\s+(?P<pairs>.*)", re.I | re.S)
_PAIR = re.compile(rf"{_QUALIFIED.format(group='old')}\s+TO\s+{_QUALIFIED.format(group='new')}", re.I)
_CREATE_INDEX = re.compile(
    rf"CREATE\s+(?:(?P<kind>UNIQUE|FULLTEXT|SPATIAL)\s+)?INDEX\s+(?P<index>{_NAME})\s+"
    rf"(?:USING\s+\w+\s+)?ON\s+{_QUALIFIED.format(group='table')}\s*\((?P<columns>[^()]*(?:\([^()]*\)[^()]*)*)\)"
    r"(?P<rest>.*)",
    re.I | re.S,
)
_ALTER = re.compile(rf"ALTER\s+(?:ONLINE\s+|IGNORE\s+)*TABLE\s+{_QUALIFIED.format(group='table')}\s+(?P<rest>.*)",
                    re.I | re.S)
_CONVERT = re.compile(r"\bCONVERT\s+TO\s+(?:CHARACTER\s+SET|CHARSET)\s+(?P<charset>\w+)", re.I)
_OPTIMIZE = re.compile(rf"OPTIMIZE\s+(?:NO_WRITE_TO_BINLOG\s+|LOCAL\s+)?TABLES?\s+{_QUALIFIED.format(group='table')}",
                       re.I)
_CREATE_TABLE = re.compile(rf"CREATE\s+(?:TEMPORARY\s+)?TABLE\s+(?P<exists>IF\s+NOT\s+EXISTS\s+)?"
                           rf"{_QUALIFIED.format(group='table')}\s*(?P<rest>.*)", re.I | re.S)
_OPTION = re.compile(r"\b(?P<key>ALGORITHM|LOCK)\s*=?\s*(?P<value>\w+)", re.I)


class CommandReading(NamedTuple):
    kind: ir.Kind
    tables: tuple[ir.TableName, ...]
    events: tuple[ir.Event, ...]
    cost: ddl.Cost | None  # None: no table lock worth a rule; or refused by its ALGORITHM/LOCK
    understood: bool
    algorithm: str | None = None
    lock: str | None = None


def name_of(text: str) -> ir.TableName:
    parts = [p.strip().strip("`").replace("``", "`") for p in re.split(r"\s*\.\s*(?=(?:`|[\w$]))", text.strip())]
    return ir.TableName(parts[0], parts[1]) if len(parts) == 2 else ir.TableName("", parts[0])


def read_command(text: str) -> CommandReading:
    """What a statement sqlglot gave up on does, when it is one of the forms above."""
    if (match := _RENAME_TABLE.match(text)) is not None:
        pairs = [(name_of(m["old"]), name_of(m["new"])) for m in _PAIR.finditer(match["pairs"])]
        if pairs:
            events = tuple(ir.RenameTable(old, new) for old, new in pairs)
            return CommandReading(ir.Kind.RENAME_TABLE, tuple(old for old, _ in pairs), events, ddl.INSTANT, True)
    elif (match := _CREATE_INDEX.match(text)) is not None:
        table = name_of(match["table"])
        kind = (match["kind"] or "").upper()
        columns = tuple(name_of(c.split("(")[0]).name for c in _split_columns(match["columns"]))
        options = {m["key"].upper(): m["value"].upper() for m in _OPTION.finditer(match["rest"])}
        index = name_of(match["index"]).name
        event = ir.CreateIndex(table, index, columns, kind == "UNIQUE",
                               kind not in ("FULLTEXT", "SPATIAL"))
        cost = ddl.asserted(index_cost(kind, index, table), options.get("ALGORITHM"), options.get("LOCK"))
        return CommandReading(ir.Kind.CREATE_INDEX, (table,), (event,), cost, True,
                              options.get("ALGORITHM"), options.get("LOCK"))
    elif (match := _ALTER.match(text)) is not None and (convert := _CONVERT.search(match["rest"])) is not None:
        table = name_of(match["table"])
        options = {m["key"].upper(): m["value"].upper() for m in _OPTION.finditer(match["rest"])}
        cost = ddl.copy(f"converts the table to the character set {convert['charset']}")
        # The rest of the ALTER (often ENGINE=InnoDB beside it) costs no more than this copy;
        # its other clauses are not read, so their events are unknown.
        only_convert = re.fullmatch(
            r"(?:\s*,?\s*(?:CONVERT\s+TO\s+(?:CHARACTER\s+SET|CHARSET)\s+\w+(?:\s+COLLATE\s+\w+)?"
            r"|ENGINE\s*=?\s*InnoDB|(?:DEFAULT\s+)?(?:CHARACTER\s+SET|CHARSET)\s*=?\s*\w+|(?:DEFAULT\s+)?COLLATE\s*=?\s*\w+"
            r"|ALGORITHM\s*=?\s*\w+|LOCK\s*=?\s*\w+))+\s*", match["rest"], re.I) is not None
        return CommandReading(ir.Kind.ALTER_TABLE, (table,), (),
                              ddl.asserted(cost, options.get("ALGORITHM"), options.get("LOCK")), only_convert,
                              options.get("ALGORITHM"), options.get("LOCK"))
    elif (match := _ALTER.match(text)) is not None:
        # An ALTER TABLE sqlglot gave up on: its table is known, what it does is not.
        return CommandReading(ir.Kind.ALTER_TABLE, (name_of(match["table"]),), (), None, False)
    elif (match := _CREATE_TABLE.match(text)) is not None:
        # sqlglot gives up on some column types (POINT, GEOMETRY...): the table is still new, and
        # no lock on an existing table is taken; its columns are not read.
        table = name_of(match["table"])
        from_query = match["rest"].lstrip()[:1] != "(" and " LIKE " not in f" {match['rest'].upper()}"
        return CommandReading(ir.Kind.CREATE_TABLE, (table,), (ir.CreateTable(table, (), from_query),), None, False)
    elif (match := _OPTIMIZE.match(text)) is not None:
        table = name_of(match["table"])
        return CommandReading(ir.Kind.OTHER, (table,), (), ddl.rebuild("OPTIMIZE TABLE rebuilds the table"), True)
    return CommandReading(ir.Kind.OTHER, (), (), None, False)


def _split_columns(text: str) -> list[str]:
    parts, depth, current = [], 0, ""
    for ch in text:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        if ch == "," and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += ch
    parts.append(current)
    return [p.strip().split()[0] if p.strip() else "" for p in parts]
