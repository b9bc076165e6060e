"""Which run-time settings a statement changes: SET, SET LOCAL, RESET and set_config()."""

from __future__ import annotations

import re
from typing import NamedTuple

from migralint.sql.postgres.nodes import Node, string_value, unwrap, walk
from migralint.linter.parse import Statement


class SettingChange(NamedTuple):
    local: bool  # SET LOCAL / set_config(..., true): only until the transaction ends
    value: str | None  # None: back to the server's default (RESET, SET ... TO DEFAULT, RESET ALL)


def setting_changes(statement: Statement, name: str) -> list[SettingChange]:
    """The changes `statement` makes to the setting `name` (lower case), in order."""
    if statement.kind not in ("VariableSetStmt", "SelectStmt"):
        return []  # before reading the tree: a large file's trees are parsed again when read
    node = statement.node
    if statement.kind == "VariableSetStmt":
        kind = node.get("kind")
        if kind == "VAR_RESET_ALL":
            return [SettingChange(False, None)]
        if str(node.get("name", "")).lower() != name:
            return []
        local = bool(node.get("is_local"))
        if kind in ("VAR_SET_DEFAULT", "VAR_RESET"):
            return [SettingChange(local, None)]
        if kind == "VAR_SET_VALUE":
            return [SettingChange(local, _const_text(node.get("args", [{}])[0]))]
        return []
    if statement.kind == "SelectStmt":
        return [change for kind, body in walk(node) if kind == "FuncCall" for change in _set_config(body, name)]
    return []


def _set_config(call: Node, name: str) -> list[SettingChange]:
    funcname = [string_value(n) for n in call.get("funcname", [])]
    args = call.get("args", [])
    if not funcname or funcname[-1].lower() != "set_config" or len(args) != 3:
        return []
    if (_const_text(args[0]) or "").lower() != name:
        return []
    local = (_const_text(args[2]) or "").lower() in ("true", "t", "on", "1", "yes")
    return [SettingChange(local, _const_text(args[1]))]


def _const_text(node: Node) -> str | None:
    """A constant's text ("5s", "5000", "true"); an expression gives "?"."""
    kind, body = unwrap(node)
    if kind == "TypeCast":
        return _const_text(body.get("arg", {}))
    if kind != "A_Const":
        return "?"
    if "sval" in body:
        return str(body["sval"].get("sval", ""))
    if "ival" in body:
        return str(body["ival"].get("ival", 0))
    if "fval" in body:
        return str(body["fval"].get("fval", "0"))
    if "boolval" in body:
        return "true" if body["boolval"].get("boolval") else "false"
    return None  # NULL


_LEADING_NUMBER = re.compile(r"\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:e[-+]?\d+)?)", re.I)


def is_nonzero_duration(value: str | None) -> bool:
    """True for a timeout that is on: "5s", "5000"; false for 0, "0ms", DEFAULT, NULL."""
    if value is None:
        return False
    match = _LEADING_NUMBER.match(value)
    if not match:
        return value != ""  # an expression: assume the author set a real timeout
    return float(match.group(1)) != 0
