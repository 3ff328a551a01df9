"""The ``union`` command: stewards' deployment and operations, members' commands, and the demo.

This module only wires: each command parses its options, builds the objects it needs (Web3, signers, settings) and
hands them to the packages below. Errors of the union's own hierarchy become one readable line and exit status 1.
"""

from __future__ import annotations

import contextlib
import faulthandler
import logging
import sys
from collections.abc import Callable
from functools import wraps
from typing import ParamSpec, TypeVar

import typer
from rich.console import Console

from union.errors import UnionError

__all__ = ["app", "console", "friendly_errors"]

P = ParamSpec("P")
R = TypeVar("R")

console = Console()
err_console = Console(stderr=True)

app = typer.Typer(
    name="union",
    help="Data Union: the treasury, democracy and dividends of a data cooperative, verifiable from the chain.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)


def friendly_errors(command: Callable[P, R]) -> Callable[P, R]:
    """Report the union's own errors as one clear line (exit 1) instead of a traceback."""

    @wraps(command)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return command(*args, **kwargs)
        except UnionError as exc:
            err_console.print(f"[bold red]error:[/] {exc}", highlight=False)
            raise typer.Exit(1) from None

    return run


@app.callback()
def _configure(verbose: bool = typer.Option(False, "--verbose", "-v", help="log progress to stderr")) -> None:
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        stream=sys.stderr,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    if not faulthandler.is_enabled():
        # A crash in C code (SIGSEGV, SIGABRT …) then prints every thread's Python stack to stderr before the process
        # dies: even a `union serve` that could not stop itself says where it died.
        with contextlib.suppress(ValueError):  # a stderr without a file descriptor (captured): nothing to write to
            faulthandler.enable()


def _register() -> None:
    # Imported here so `union --help` stays fast and each module registers its own commands.
    from scripts import demo, index, members, plans, serve, steward, stewards  # noqa: F401, PLC0415


_register()
