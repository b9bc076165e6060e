"""Errors the library raises; only cli.py turns them into messages and exit codes."""

from __future__ import annotations


class UserError(Exception):
    """The user's mistake (bad option, bad config, missing path): exit code 2, one sentence."""


class ConfigError(UserError):
    """A configuration file that cannot be used as written."""


class InputError(UserError):
    """A path that does not exist, or a file that cannot be read."""
