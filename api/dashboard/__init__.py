"""The dashboard: one page at ``/`` (plain JavaScript modules, inline SVG charts) that reads the ``/v1`` API.

Mount :data:`router` on the API app. It serves the page and its assets from the package's ``static`` directory,
which is read once at import: the set of files is fixed, so no request path ever reaches the file system (there is
nothing to traverse), and every asset is answered from memory with an ETag. Nothing is fetched from another origin
at run time; the page talks only to the API that served it (``/v1`` for reads, ``/v1/relay`` for a member's signed
votes, consent changes and claims).
"""

from api.dashboard.router import ASSETS, STATIC_DIR, DashboardAsset, router

__all__ = ["ASSETS", "STATIC_DIR", "DashboardAsset", "router"]
