"""ratings: the companion service of the portal's "Đánh giá bài viết" widget.

A small Starlette application that stores one 1-5 score per voter, article and
day in SQLite (WAL mode), answers aggregates, and keeps no raw IP address.
Run it with ``python -m ratings`` (settings from environment variables, see
README.md). It depends only on Starlette and uvicorn.
"""

__version__ = "1.0.0"
