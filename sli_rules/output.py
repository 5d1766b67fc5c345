"""Writing a command's output to `-o FILE`, safely.

A regular file is replaced atomically (a temporary file beside it, then a rename), so readers
never see half a file; the replacement keeps the old file's mode, and a new file gets the
permissions the umask allows, as a shell redirection would. Anything that is not a regular file
(/dev/null, a FIFO, a terminal) is written in place, never replaced. A symlink is followed to
its target, which is then written as above. A read-only file is refused, even for root. Every
message names the file the user asked for, never the temporary file.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import sys
import tempfile
from collections.abc import Iterable
from pathlib import Path


class OutputError(OSError):
    """The output file cannot be written: the message names it."""


def _current_umask() -> int:
    # os.umask both sets and returns the mask: set it back at once.
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _refuse(path: Path, reason: str, code: int = errno.EACCES) -> OutputError:
    return OutputError(code, reason, str(path))


def write_atomically(path: Path, data: str | bytes) -> None:
    """Write `data` (text as UTF-8) to `path`, which may be a regular file, a special file or a symlink."""
    write_chunks(path, [data])


def write_chunks(path: Path, chunks: Iterable[str | bytes]) -> None:
    """Write `chunks` (text as UTF-8) one after another to `path`, as `write_atomically`: a
    regular file appears whole or not at all, even when making the chunks fails half way."""
    payload = (chunk.encode("utf-8") if isinstance(chunk, str) else chunk for chunk in chunks)
    target = Path(os.path.realpath(path)) if path.is_symlink() else path
    try:
        status: os.stat_result | None = target.stat()
    except FileNotFoundError:
        status = None
    except OSError as error:
        raise _refuse(path, error.strerror or str(error), error.errno or errno.EIO) from error
    if status is not None and stat.S_ISDIR(status.st_mode):
        raise _refuse(path, "not a file but a folder", errno.EISDIR)
    if status is not None and not stat.S_ISREG(status.st_mode):
        _write_in_place(path, target, payload)
        return
    if status is not None and (not status.st_mode & 0o222 or not os.access(target, os.W_OK)):
        raise _refuse(path, "will not replace a read-only file")
    folder = target.parent
    try:
        handle, temporary = tempfile.mkstemp(dir=folder, prefix=f".{target.name}.", suffix=".tmp")
    except OSError as error:
        raise _refuse(
            path, f"cannot write beside the file ({error.strerror or error})", error.errno or errno.EIO
        ) from error
    try:
        mode = stat.S_IMODE(status.st_mode) if status is not None else 0o666 & ~_current_umask()
        os.fchmod(handle, mode)
        if status is not None and os.geteuid() == 0:
            os.fchown(handle, status.st_uid, status.st_gid)  # root keeps the file its owner's
        with os.fdopen(handle, "wb") as stream:
            for chunk in payload:
                stream.write(chunk)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, target)
    except OSError as error:
        _remove(temporary)
        raise _refuse(path, error.strerror or str(error), error.errno or errno.EIO) from error
    except BaseException:
        _remove(temporary)
        raise


def _remove(temporary: str) -> None:
    with contextlib.suppress(FileNotFoundError):
        os.unlink(temporary)


def _write_in_place(path: Path, target: Path, payload: Iterable[bytes]) -> None:
    """A device, FIFO or terminal: written as it is, the way `>` in a shell writes it."""
    try:
        with open(target, "wb") as stream:
            for chunk in payload:
                stream.write(chunk)
    except OSError as error:
        raise _refuse(path, error.strerror or str(error), error.errno or errno.EIO) from error


def emit_chunks(chunks: Iterable[str], output: str | None) -> None:
    """Text made piece by piece: to `output` when given (whole or not at all), else to
    standard output as it comes."""
    if output:
        write_chunks(Path(output), chunks)
        return
    for chunk in chunks:
        sys.stdout.write(chunk)
    sys.stdout.flush()


def emit(data: str | bytes, output: str | None) -> None:
    """The output of a command: to `output` when given, else to standard output."""
    if output:
        write_atomically(Path(output), data)
    elif isinstance(data, str):
        sys.stdout.write(data)
    elif sys.stdout.isatty():
        raise OutputError(errno.EINVAL, "this output is not text; give -o FILE", "standard output")
    else:
        sys.stdout.flush()
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
