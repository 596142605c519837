"""Errors that reach the user. Each carries a location in its message; the CLI prints it as one line."""

from __future__ import annotations


class LancangError(Exception):
    """Base class of lancang's own errors."""


class InputError(LancangError):
    """An input cannot be used at all (missing, a directory, unreadable, wrong kind)."""


class UsageError(LancangError):
    """The call itself is wrong (bad option combination, unknown name in a registry)."""


class OutputError(InputError):
    """An output cannot be written (unwritable folder, full disk, file-size limit, name too long...)."""
