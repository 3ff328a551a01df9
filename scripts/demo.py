"""``union demo``: a local chain with the union deployed, for a newcomer to look at."""

from __future__ import annotations

import contextlib
import shutil
import signal
import threading
from pathlib import Path
from typing import Annotated

import typer

from scripts.cli import app, console, friendly_errors
from scripts.steward import print_report
from union.chain import AnvilProcess
from union.localnet import deploy_local_union

DEMO_DIR = Path(".union/demo")


@app.command()
@friendly_errors
def demo(
    port: Annotated[int, typer.Option("--port", help="anvil's port (0 = any free port)")] = 8545,
    serve: Annotated[bool, typer.Option("--serve/--no-serve", help="keep running until Ctrl-C")] = True,
) -> None:
    """Start a local anvil chain, deploy the union on it and print the manifest.

    A second `union demo` starts clean: the previous demo's state is removed first.
    """
    shutil.rmtree(DEMO_DIR, ignore_errors=True)
    DEMO_DIR.mkdir(parents=True)
    with AnvilProcess(port=port, log_path=DEMO_DIR / "anvil.log") as anvil:
        console.print(f"anvil is running at [bold]{anvil.rpc_url}[/] (pid {anvil.pid})")
        union = deploy_local_union(anvil, DEMO_DIR / "manifest.json")
        print_report(union.report)
        console.print_json(union.manifest_path.read_text())
        if not serve:
            return
        console.print(f"manifest: {union.manifest_path}. Press Ctrl-C to stop anvil and exit.")
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        with contextlib.suppress(KeyboardInterrupt):
            stop.wait()
    console.print("stopped anvil; bye")
