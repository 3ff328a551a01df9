"""``union index``: follow the union's contracts into the store, with a progress bar during a backfill."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeRemainingColumn

from indexer import IndexerSettings, run
from indexer import Progress as IndexerProgress
from scripts.cli import app, console, friendly_errors
from scripts.serving import stop_on_signals
from union.manifest import DeploymentManifest


class _Bar:
    """Turns the indexer's progress reports into one rich bar: blocks done, blocks/s, events/s, ETA."""

    def __init__(self, progress: Progress) -> None:
        self._progress = progress
        self._task: TaskID | None = None

    def __call__(self, report: IndexerProgress) -> None:
        total = max(report.target - report.start_block + 1, 1)
        done = min(report.cursor - report.start_block + 1, total)
        speed = f"{report.blocks_per_second:,.0f} blocks/s · {report.events_per_second:,.0f} events/s"
        if self._task is None:
            self._task = self._progress.add_task("indexing", total=total, speed=speed)
        self._progress.update(self._task, total=total, completed=done, speed=speed)


@app.command()
@friendly_errors
def index(
    once: Annotated[bool, typer.Option("--once", help="index to the head (minus confirmations) and exit")] = False,
    rpc_url: Annotated[str | None, typer.Option("--rpc-url", help="JSON-RPC endpoint (else UNION_RPC_URL)")] = None,
    manifest: Annotated[
        Path | None, typer.Option("--manifest", help="deployment manifest (else UNION_MANIFEST)")
    ] = None,
    database_url: Annotated[
        str | None, typer.Option("--database-url", help="store URL (else UNION_DATABASE_URL; SQLite by default)")
    ] = None,
) -> None:
    """Follow every union contract of the manifest from its deployment block into the store (reorg- and crash-safe).

    Without --once it keeps following until Ctrl-C or SIGTERM, which stop it after the range being written.
    """
    overrides = {
        key: value
        for key, value in {"rpc_url": rpc_url, "manifest": manifest, "database_url": database_url}.items()
        if value is not None
    }
    settings = IndexerSettings(**overrides)  # type: ignore[arg-type]
    deployment = DeploymentManifest.load(settings.manifest)
    stop = threading.Event()
    columns = (
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        TextColumn("{task.completed:,}/{task.total:,} blocks"),
        TextColumn("{task.fields[speed]}"),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=console, transient=not once) as bar, stop_on_signals(stop):
        report = run(settings, deployment, once=once, progress=_Bar(bar), stop=stop)
    if report is not None:
        console.print(
            f"indexed to block {report.cursor:,} (head {report.head:,}): {report.blocks:,} blocks, "
            f"{report.events:,} events, {report.rollbacks} rollback(s) in {report.seconds:.1f} s"
        )
    else:
        console.print("stopped; the store is consistent up to the last range written")
