"""`.env` files as the Prisma CLI reads them: dotenv 16's parser, then Prisma's own `${VAR}` expansion.

The rules (checked in motdotla/dotenv v16.5.0 `lib/main.js`, the version prisma/prisma 6.19
pins in packages/internals/package.json, and prisma/prisma `packages/internals/src/dotenvExpand.ts`):

- `KEY=value`, `export KEY=value` and `KEY: value` (a colon needs a space after it); keys are
  letters, digits, `_`, `.` and `-`.
- An unquoted value ends at the first `#`, spaces or not (`pa#ss` reads `pa`), and is trimmed.
- A value in `'...'`, `"..."` or `` `...` `` keeps everything inside, `#` included, and may span
  lines; only double quotes turn `\\n` and `\\r` into a newline and a carriage return. No other
  escape is understood: `\\\\` stays two backslashes.
- A file sets a variable only when the environment does not already have it.
- Then every `${NAME}` is replaced, in any value, whatever its quotes (single quotes too),
  by the environment's value, which by then holds every variable of the file, so a
  `${LATER}` defined further down is found; an unknown name becomes empty; `\\${NAME}` stays
  `${NAME}`; a bare `$NAME` is not expanded.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, MutableMapping
from pathlib import Path

# One assignment: optional `export`, the key, `=` or `: `, then a quoted value (which may span
# lines) or an unquoted one that stops at `#`, then an optional comment to the end of the line.
_ASSIGNMENT = re.compile(
    r"^[ \t\f\v]*(?:export\s+)?(?P<key>[\w.-]+)(?:\s*=[ \t]*?|:\s+?)"
    r"(?P<value>\s*'(?:\\'|[^'])*'|\s*\"(?:\\\"|[^\"])*\"|\s*`(?:\\`|[^`])*`|[^#\n]+)?"
    r"[ \t]*(?:#.*)?$",
    re.M,
)
_QUOTED = re.compile(r"^(['\"`])(.*)\1$", re.S)
_REFERENCE = re.compile(r"(\\?)\$\{([A-Za-z0-9_]*)\}")  # ${} too: it becomes empty
_MAX_DEPTH = 20  # Prisma recurses without a limit (A=${A} overflows its stack); stop instead


def parse(text: str) -> dict[str, str]:
    """The variables a .env text sets, unexpanded; later assignments of a key win."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    values: dict[str, str] = {}
    for match in _ASSIGNMENT.finditer(text):
        value = (match["value"] or "").strip()
        quote = value[:1]
        quoted = _QUOTED.match(value)
        if quoted:
            value = quoted[2]
        if quote == '"':
            value = value.replace("\\n", "\n").replace("\\r", "\r")
        values[match["key"]] = value
    return values


def read(path: Path) -> dict[str, str] | None:
    """The variables of a .env file, unexpanded; None when it is absent or unreadable."""
    try:
        return parse(path.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError):
        return None


def load(path: Path, environment: MutableMapping[str, str], *, expand: bool = True) -> dict[str, str] | None:
    """Load a .env file into `environment` as Prisma's loadEnv does: the environment wins, then
    `${NAME}` is expanded; the file's variables (expanded), or None when there is no file."""
    parsed = read(path)
    if parsed is None:
        return None
    for key, value in parsed.items():
        environment.setdefault(key, value)
    if expand:
        for key in parsed:
            parsed[key] = expand_references(environment[key], environment, parsed)
        environment.update(parsed)
    return parsed


def expand_references(value: str, environment: Mapping[str, str], parsed: Mapping[str, str], depth: int = 0) -> str:
    """`${NAME}` replaced by the environment's value (else the file's, else empty), recursively."""
    if depth > _MAX_DEPTH:
        return value

    def replace(match: re.Match[str]) -> str:
        if match[1]:
            return match[0][1:]  # \${NAME}: the reference, kept as written without the backslash
        name = match[2]
        if not name:
            return ""
        found = environment[name] if name in environment else parsed.get(name, "")
        return expand_references(found, environment, parsed, depth + 1)

    return _REFERENCE.sub(replace, value)
