"""Files Yilian keeps in its data dir (数据目录): private to the account that runs it.

The data dir holds the embedded database, the license signing key, the Django secret
key and the generated license PDFs — each enough to read people's ID numbers or to
forge a license or a session. So the directory is 0700 and every file in it 0600, set
when the file is made (never made readable first and narrowed after: another local
account could open it in between).
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

DIR_MODE = 0o700
FILE_MODE = 0o600


def private_dir(path: Path) -> Path:
    """``path`` made if missing, and narrowed to 0700 if it is ours and wider."""
    path.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
    with contextlib.suppress(PermissionError):  # a directory the operator owns and set
        if path.stat().st_mode & 0o777 != DIR_MODE:
            path.chmod(DIR_MODE)
    return path


def create_once(path: Path, data: bytes) -> bool:
    """Write ``data`` to ``path`` (mode 0600) unless it exists; True if this call did.

    Written in full to a private temp file, then hard-linked into place, which fails
    instead of overwriting: a reader never sees half a file, and of two processes
    starting at once exactly one writes — both then read the same content.
    """
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}-")  # 0600
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        try:
            os.link(tmp, path)
        except FileExistsError:
            return False
        return True
    finally:
        os.unlink(tmp)


def make_private(path: Path) -> None:
    """Create ``path`` empty with mode 0600 if missing; narrow it to 0600 if not.

    An existing file is never opened: closing any descriptor of a file drops every POSIX
    lock this process holds on it, and SQLite's locks are POSIX locks — another process
    then thinks it is alone, checkpoints and deletes the -wal and -shm files under this
    one's open connections ("disk I/O error", "file is not a database")."""
    if not path.exists():
        with contextlib.suppress(FileExistsError):
            os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, FILE_MODE))
    with contextlib.suppress(PermissionError):
        if path.stat().st_mode & 0o777 != FILE_MODE:
            path.chmod(FILE_MODE)
