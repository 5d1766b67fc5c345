"""Where a store lives on disk, read without SQLAlchemy: the files a command must never write
its output over (the SQLite database and its journals)."""

from __future__ import annotations

from pathlib import Path

_JOURNALS = ("", "-wal", "-shm", "-journal")


def store_files(where: str | Path) -> list[Path]:
    """The files of a SQLite store given as a path or a `sqlite:///` URL (none for a server)."""
    text = str(where)
    if not text:
        return []
    if "://" not in text:
        path = Path(text).expanduser()
    elif text.startswith("sqlite") and ":///" in text:
        name = text.split(":///", 1)[1].split("?", 1)[0]
        if not name or name == ":memory:":
            return []
        path = Path(name)
    else:
        return []
    return [path.with_name(path.name + suffix) for suffix in _JOURNALS]
