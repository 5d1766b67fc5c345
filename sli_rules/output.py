"""Every file a command writes, written one way.

`write_file(path, data, reads=..., replace=...)` is the only way the package writes a file a
person named (`assess -o`, `report -o`, `export -o`, `init`, the templates and forms):

- **Never onto what the command reads.** The file to write is compared (device and inode, so
  that a symlink or a hard link is seen through) with every file the command reads, every file
  below a folder it reads, and the store's database files: `assess x.yaml -o x.yaml` and
  `export -o sli.db --db sli.db` are refused before anything is written.
- **Forms are not replaced by accident.** `replace=False` (a template or a form that a person
  may have filled in) refuses a file that exists; the command's `--force` says to replace it.
- **A regular file is replaced atomically**: written beside itself under a temporary name,
  flushed to disk, then renamed over it, so readers never see half a file; the replacement
  keeps the old file's mode (and, for root, its owner); a new file gets the permissions the
  umask allows, as a shell redirection would.
- **Anything that is not a regular file** (/dev/null, a FIFO, a terminal) is written in place,
  never replaced. A symlink is followed to its target, which is then written as above.
- A folder or a read-only file is refused, even for root. Every message names the file the
  person asked for, never the temporary file.
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

StrPath = str | os.PathLike[str]


class OutputError(OSError):
    """The output file cannot be written: the message names it."""


def _current_umask() -> int:
    # os.umask both sets and returns the mask: set it back at once.
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _refuse(path: StrPath, reason: str, code: int = errno.EACCES) -> OutputError:
    return OutputError(code, reason, str(path))


def _identities(reads: Iterable[StrPath]) -> dict[tuple[int, int], Path]:
    """(device, inode) of every file read, the files below a folder read included."""
    found: dict[tuple[int, int], Path] = {}

    def add(path: Path) -> None:
        with contextlib.suppress(OSError):
            status = path.stat()
            found.setdefault((status.st_dev, status.st_ino), path)

    for item in reads:
        path = Path(item)
        if path.is_dir():
            for folder, _, names in os.walk(path):
                for name in names:
                    add(Path(folder, name))
        else:
            add(path)
    return found


def check_output(path: StrPath, *, reads: Iterable[StrPath] = (), replace: bool = True) -> None:
    """Refuse, before any work is done, a file that `write_file` would refuse for what it is:
    one the command reads, or an existing form without `replace`."""
    _check_target(Path(path), reads, replace)


def _check_target(path: Path, reads: Iterable[StrPath], replace: bool) -> os.stat_result | None:
    try:
        status: os.stat_result | None = path.stat()  # through a symlink to its target
    except FileNotFoundError:
        status = None
    except OSError as error:
        raise _refuse(path, error.strerror or str(error), error.errno or errno.EIO) from error
    if status is None:
        return None
    if stat.S_ISDIR(status.st_mode):
        raise _refuse(path, "not a file but a folder", errno.EISDIR)
    if not stat.S_ISREG(status.st_mode):
        return status  # a device or FIFO: written in place, whatever reads it
    read = _identities(reads).get((status.st_dev, status.st_ino))
    if read is not None:
        same = "" if os.path.abspath(read) == os.path.abspath(path) else f" (it is {read})"
        raise _refuse(path, f"this command reads that file{same}: it will not write over it", errno.EEXIST)
    if not replace:
        raise _refuse(path, "the file exists and may hold answers: give --force to replace it", errno.EEXIST)
    return status


def write_file(
    path: StrPath, data: str | bytes, *, reads: Iterable[StrPath] = (), replace: bool = True
) -> None:
    """Write `data` (text as UTF-8) to `path`, which may be a regular file, a special file or a
    symlink; never onto a file in `reads`, and onto an existing file only when `replace`."""
    write_chunks(path, [data], reads=reads, replace=replace)


def write_chunks(
    path: StrPath, chunks: Iterable[str | bytes], *, reads: Iterable[StrPath] = (), replace: bool = True
) -> None:
    """Write `chunks` (text as UTF-8) one after another to `path`, as `write_file`: a regular
    file appears whole or not at all, even when making the chunks fails half way."""
    path = Path(path)
    payload = (chunk.encode("utf-8") if isinstance(chunk, str) else chunk for chunk in chunks)
    reads = tuple(reads)
    status = _check_target(path, reads, replace)
    target = Path(os.path.realpath(path)) if path.is_symlink() else path
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
        # The work took time: a file read, or a form made meanwhile, is still not written over.
        _check_target(path, reads, replace)
        if replace:
            os.replace(temporary, target)
        else:
            _place_new(path, temporary, target)
        _sync_folder(folder)
    except OSError as error:
        _remove(temporary)
        if isinstance(error, OutputError):
            raise
        raise _refuse(path, error.strerror or str(error), error.errno or errno.EIO) from error
    except BaseException:
        _remove(temporary)
        raise


def _place_new(path: Path, temporary: str, target: Path) -> None:
    """Give the temporary file the target's name only if no file has it (a link fails when the
    name is taken, where a rename would replace it), then drop the temporary name."""
    try:
        os.link(temporary, target)
    except FileExistsError:
        raise _refuse(path, "the file exists and may hold answers: give --force to replace it", errno.EEXIST) from None
    except OSError:
        # A file system without hard links: the check above is then the only guard.
        os.replace(temporary, target)
        return
    _remove(temporary)


def _sync_folder(folder: Path) -> None:
    """The rename itself survives a crash only once the folder is on disk."""
    with contextlib.suppress(OSError):
        descriptor = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)


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


def emit_chunks(chunks: Iterable[str], output: str | None, *, reads: Iterable[StrPath] = ()) -> None:
    """Text made piece by piece: to `output` when given (whole or not at all), else to
    standard output as it comes."""
    if output:
        write_chunks(output, chunks, reads=reads)
        return
    for chunk in chunks:
        sys.stdout.write(chunk)
    sys.stdout.flush()


def emit(data: str | bytes, output: str | None, *, reads: Iterable[StrPath] = ()) -> None:
    """The output of a command: to `output` when given, else to standard output."""
    if output:
        write_file(output, data, reads=reads)
    elif isinstance(data, str):
        sys.stdout.write(data)
    elif sys.stdout.isatty():
        raise OutputError(errno.EINVAL, "this output is not text; give -o FILE", "standard output")
    else:
        sys.stdout.flush()
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()


# The name the commands used before `write_file` took the reads and the `replace` switch.
write_atomically = write_file
