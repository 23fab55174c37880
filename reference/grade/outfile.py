"""Report files written by the trusted side, safely where students can write too.

The grader often runs as root and writes where a student's process may have
write access (a report under /tmp, a batch folder). The rules:

- the folder is opened and checked once, before any student code runs, and
  every later write goes through that open folder (renaming a parent folder
  afterwards changes nothing);
- a folder others can write is refused unless it has the sticky bit (like
  /tmp: others may create names there, but not remove or rename ours), and a
  symbolic link on the way to it owned by another user is refused (the rule of
  the kernel's fs.protected_symlinks);
- before grading, a report name taken by anything but a regular file of ours
  is refused: another user's file, a symbolic link, a FIFO, a device;
- each report is written to a new file of a random name created with O_EXCL
  (never an existing file, never through a link), then renamed over the final
  name: atomic, and whatever was planted at that name during the run (a
  symlink, a FIFO) is replaced, never followed or opened.

    python -m reference.grade.outfile PATH < TEXT      # Gradescope's run_autograder fallback
"""

from __future__ import annotations

import os
import secrets
import stat
import sys
from pathlib import Path

from manual.errors import InputError

__all__ = ["Folder", "RESERVE", "reserve", "Report", "main"]


def _trusted(uid: int) -> bool:
    return uid in (0, os.geteuid())


def _refuse(path, why: str):
    raise InputError(f"cannot write {path}: {why}")


def _foreign_links(path: Path) -> None:
    """A symbolic link on the way to `path` owned by an untrusted user. The path is walked
    as written (not normalized: `link/..` goes through the link)."""
    path = path if path.is_absolute() else Path.cwd() / path
    parts = path.parts
    for i in range(2, len(parts)):
        part = Path(*parts[:i])
        try:
            st = os.lstat(part)
        except OSError:
            return                    # does not exist (yet): nothing links through it
        if stat.S_ISLNK(st.st_mode) and not _trusted(st.st_uid):
            _refuse(path, f"{part} is a symbolic link owned by another user")


def _others_can_write(st: os.stat_result) -> bool:
    return bool(st.st_mode & stat.S_IWOTH
                or st.st_mode & stat.S_IWGRP and st.st_gid != os.getegid())


def validate_folder(st: os.stat_result, path) -> None:
    """Refuse a folder other users can write without the sticky bit, or one inside such a
    folder (they could rename it away and put their own in its place)."""
    if not stat.S_ISDIR(st.st_mode):
        _refuse(path, "Not a directory")
    if _others_can_write(st) and not st.st_mode & stat.S_ISVTX:
        _refuse(path, "the folder is writable by other users (and has no sticky bit): "
                "a student's code could replace the report; use a folder only you can write")
    for parent in Path(os.path.realpath(path)).parents:
        try:
            up = os.stat(parent)
        except OSError:
            continue
        if _others_can_write(up) and not up.st_mode & stat.S_ISVTX:
            _refuse(path, f"{parent} is writable by other users (and has no sticky bit): "
                    "use a folder only you can write")


class Folder:
    """An output folder, opened and checked before any student code runs."""

    def __init__(self, path: Path, *, create: bool = False, mode: int = 0o777):
        self.path = Path(path)
        _foreign_links(self.path / "x")    # the folder itself included
        try:
            if create:
                self.path.mkdir(parents=True, exist_ok=True, mode=mode)
            self.fd = os.open(self.path, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
        except OSError as exc:
            _refuse(self.path, exc.strerror or str(exc))
        try:
            validate_folder(os.fstat(self.fd), self.path)
        except InputError:
            os.close(self.fd)
            raise

    def validate_name(self, name: str, *, replace: bool = False) -> None:
        """Refuse a final name that is anything but a regular file of ours (or free): a
        folder, another user's file, a symbolic link (never written through, and not
        replaced either: `--output /dev/stdout` must not replace the link), a FIFO, a
        socket or a device (`--output /dev/null` must not replace the device)."""
        try:
            st = os.lstat(name, dir_fd=self.fd)
        except FileNotFoundError:
            return
        except OSError as exc:
            _refuse(self.path / name, exc.strerror or str(exc))
        if stat.S_ISDIR(st.st_mode):
            _refuse(self.path / name, "Is a directory")
        if replace:                     # the last resort (run_autograder's fallback)
            return
        if not _trusted(st.st_uid):
            _refuse(self.path / name, "the name is taken by another user's file")
        if stat.S_ISLNK(st.st_mode):
            _refuse(self.path / name, "a symbolic link (reports are never written through "
                    "one: give the path of the file itself)")
        if not stat.S_ISREG(st.st_mode):
            _refuse(self.path / name, "not a regular file (a FIFO, a socket or a device)")

    def create(self, name: str) -> tuple[int, str]:
        """A new, empty file next to `name` (O_EXCL, never through a link): (fd, its name)."""
        flags = (os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
                 | os.O_NONBLOCK)
        for _ in range(100):
            temp = f".{name[:40]}.{secrets.token_hex(8)}.tmp"
            try:
                return os.open(temp, flags, 0o644, dir_fd=self.fd), temp
            except FileExistsError:
                continue
            except OSError as exc:
                _refuse(self.path / name, exc.strerror or str(exc))
        _refuse(self.path / name, "no temporary name is free")

    def commit(self, fd: int, temp: str, name: str, text: str | bytes) -> None:
        """Write `text` into the file made by `create`, then rename it to `name`."""
        try:
            st = os.fstat(fd)
            if not stat.S_ISREG(st.st_mode):        # cannot happen with O_EXCL: belt and braces
                _refuse(self.path / name, "not a regular file")
            data = text.encode("utf-8") if isinstance(text, str) else text
            view = memoryview(data)
            while view:                       # into the space reserved by `reserve`
                view = view[os.write(fd, view):]
            os.ftruncate(fd, len(data))
            os.close(fd)
            fd = -1
            os.replace(temp, name, src_dir_fd=self.fd, dst_dir_fd=self.fd)
        except OSError as exc:
            if fd >= 0:
                os.close(fd)
            self.discard(temp)
            _refuse(self.path / name, exc.strerror or str(exc))

    def discard(self, temp: str) -> None:
        try:
            os.unlink(temp, dir_fd=self.fd)
        except OSError:
            pass

    def write(self, name: str, text: str) -> None:
        """`text` as the file `name` of this folder (atomically, never through a link)."""
        fd, temp = self.create(name)
        self.commit(fd, temp, name, text)

    def close(self) -> None:
        os.close(self.fd)


RESERVE = 1 << 20     # a report is at most a few hundred kB


def reserve(fd: int) -> None:
    """Reserve the report's disk space now, before any student code runs: a student who
    fills the disk (or the /tmp it shares) cannot keep the report from being written."""
    try:
        os.posix_fallocate(fd, 0, RESERVE)
    except (OSError, AttributeError):
        pass                # a file system without fallocate: the report is written anyway


class Report:
    """One report file: its folder checked and a temporary file created now (before any
    student code runs); `write` fills it and renames it over the final name. With
    `replace`, whatever stands at the name (not a folder) is replaced, not refused."""

    def __init__(self, path: Path, *, replace: bool = False):
        path = Path(path)
        if not path.name or path.name in (".", ".."):
            _refuse(path, "Is a directory")
        self.folder = Folder(path.parent, create=True)
        self.name = path.name
        try:
            self.folder.validate_name(self.name, replace=replace)
            self.fd, self.temp = self.folder.create(self.name)
            reserve(self.fd)
        except InputError:
            self.folder.close()
            raise

    def write(self, text: str) -> None:
        self.write_bytes(text)

    def write_bytes(self, text: str | bytes) -> None:
        try:
            self.folder.commit(self.fd, self.temp, self.name, text)
        finally:
            self.fd = -1
            self.close()

    def close(self) -> None:
        """Give up (the temporary file is removed) or finish."""
        if self.folder is None:
            return
        if self.fd >= 0:
            os.close(self.fd)
            self.folder.discard(self.temp)
        self.folder.close()
        self.folder = None


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python -m reference.grade.outfile PATH < TEXT", file=sys.stderr)
        return 2
    try:
        # after the student's code ran: whatever is at the name now is replaced (never
        # followed), so results.json is always there
        Report(Path(argv[0]), replace=True).write(sys.stdin.read())
    except InputError as exc:
        print(f"backprop-oracle: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
