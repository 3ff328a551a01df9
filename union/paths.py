"""Where the project's files are: the repository that holds contracts/, tools/ and node_modules/."""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path

from union.errors import ConfigurationError

__all__ = ["project_root"]


@cache
def project_root() -> Path:
    """The project directory (``UNION_PROJECT_ROOT`` if set, else the checkout this package runs from)."""
    configured = os.environ.get("UNION_PROJECT_ROOT")
    root = Path(configured) if configured else Path(__file__).resolve().parent.parent
    if not (root / "contracts").is_dir():
        raise ConfigurationError(
            f"{root} is not a Data Union checkout (no contracts/); set UNION_PROJECT_ROOT to the project directory"
        )
    return root
