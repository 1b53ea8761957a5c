"""The staff and operator tools behind the `portal` command, one module each:
new, check, build, preview, import (a sub-package), publish/rollback, serve."""
