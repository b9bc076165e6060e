"""Which run-time settings a statement changes (SET, SET LOCAL, RESET, set_config()), as the
statement model's SetSetting events; linter/session_settings.py reads the same for the rules
that still read the tree."""

from __future__ import annotations

from migralint.sql import ir
from migralint.sql.postgres.nodes import Node, string_value, unwrap, walk


def setting_events(kind: str, node: Node) -> list[ir.SetSetting]:
    """The settings a statement of libpg_query node type `kind` changes, in order."""
    if kind == "VariableSetStmt":
        how = node.get("kind")
        if how == "VAR_RESET_ALL":
            return [ir.SetSetting("", None)]
        name = str(node.get("name", "")).lower()
        local = bool(node.get("is_local"))
        if how in ("VAR_SET_DEFAULT", "VAR_RESET"):
            return [ir.SetSetting(name, None, local)]
        if how == "VAR_SET_VALUE":
            return [ir.SetSetting(name, _const_text(node.get("args", [{}])[0]), local)]
        return []
    if kind == "SelectStmt":
        return [change for what, body in walk(node) if what == "FuncCall" for change in _set_config(body)]
    return []


def _set_config(call: Node) -> list[ir.SetSetting]:
    funcname = [string_value(n) for n in call.get("funcname", [])]
    args = call.get("args", [])
    if not funcname or funcname[-1].lower() != "set_config" or len(args) != 3:
        return []
    name = _const_text(args[0])
    if not name:
        return []  # NULL or '': no setting of that name ("" is RESET ALL's)
    local = (_const_text(args[2]) or "").lower() in ("true", "t", "on", "1", "yes")
    return [ir.SetSetting(name.lower(), _const_text(args[1]), local)]


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
