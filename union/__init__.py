"""The shared kernel of the union: settings, chain client, contracts, manifest, signers and errors.

Importing it bounds the interpreter's recursion limit (see :mod:`union._interpreter`): every package and entry point
imports the kernel, so no library imported alongside it can leave a limit that a thread's stack cannot honour.
"""

from union._interpreter import RECURSION_LIMIT, bound_recursion_limit

__all__ = ["RECURSION_LIMIT"]

bound_recursion_limit()
