"""An upload ready to be imported, and what an import found in it."""

import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from agentdesk.config_center.basetables import csvfile
from agentdesk.config_center.basetables.rowcodec import Rejection
from agentdesk.kit.files import private_dir

REJECTED_CAP = 1000
UPLOAD_PREFIX = "import-"


# ---- where uploads wait for their job -------------------------------------------------------
# An upload holds the plaintext of encrypted fields: it waits in a folder of the data
# directory only this server's user can open (never the shared /tmp), named after the
# process that owns it, so a process starting up can delete what dead processes left behind
# without touching the uploads of the live ones (several workers share one data directory).


def upload_dir(data_dir: Path) -> Path:
    return private_dir(private_dir(data_dir / "tmp") / "imports")


def new_upload_file(data_dir: Path) -> tuple[int, Path]:
    """An open, empty 0600 file for an upload of this process: (fd, path)."""
    fd, name = tempfile.mkstemp(
        prefix=f"{UPLOAD_PREFIX}{os.getpid()}-", suffix=".csv", dir=upload_dir(data_dir)
    )
    return fd, Path(name)


def clean_uploads(data_dir: Path, is_alive) -> int:
    """Delete uploads whose process is gone (`is_alive(pid)` false) or is this one starting
    up; returns how many were deleted."""
    removed = 0
    for path in upload_dir(data_dir).glob(f"{UPLOAD_PREFIX}*"):
        pid = path.name[len(UPLOAD_PREFIX) :].split("-", 1)[0]
        if not pid.isdigit() or int(pid) == os.getpid() or not is_alive(int(pid)):
            path.unlink(missing_ok=True)
            removed += 1
    return removed


@dataclass
class Upload:
    """A checked upload, ready to be imported: a temporary file the job deletes (or bytes)."""

    file_name: str
    source: csvfile.Source
    size: int
    encoding: str
    mode: str = "append"

    def discard(self) -> None:
        if isinstance(self.source, Path):
            self.source.unlink(missing_ok=True)


def count_records(upload: "Upload") -> int:
    """The data records of an upload (the rows an import of it would write)."""
    return sum(
        len(records) for records, _ in csvfile.fast_chunks(upload.source, upload.encoding, 2000)
    )


def check_upload(file_name: str, source: csvfile.Source, header: list[str]) -> Upload:
    """Name, size, encoding, control characters, header and records the csv module can
    read, before any job exists (422)."""
    size = len(source) if isinstance(source, bytes) else source.stat().st_size
    csvfile.check_upload(file_name, size)
    encoding = csvfile.detect_encoding(source)
    csvfile.check_forbidden_bytes(source)
    csvfile.check_header(csvfile.read_header(source, encoding), header)
    csvfile.check_records(source, encoding)
    return Upload(file_name, source, size, encoding)


@dataclass
class Findings:
    """Rows seen and refused so far, and the first line of each index key."""

    total: int = 0
    rejected_lines: set[int] = field(default_factory=set)
    rejections: list[Rejection] = field(default_factory=list)
    first_line: dict[str, int] = field(default_factory=dict)
    failed: bool = False

    def add(self, rejections: list[Rejection]) -> None:
        self.failed = self.failed or bool(rejections)
        for rejection in rejections:
            self.rejected_lines.add(rejection.line)
            if len(self.rejections) < REJECTED_CAP:
                self.rejections.append(rejection)

    def check_duplicates(self, keys: list[str], lines: list[int], name: str) -> None:
        """Index keys seen before in the file (fast path: a chunk of all-new keys)."""
        fresh = dict(zip(keys, lines, strict=True))
        if len(fresh) == len(keys) and self.first_line.keys().isdisjoint(fresh):
            self.first_line.update(fresh)
            return
        problems = []
        for key, line in zip(keys, lines, strict=True):
            if not key:
                continue
            first = self.first_line.setdefault(key, line)
            if first != line:
                problems.append(
                    Rejection(line, name, "duplicate", f"duplicate index value (see line {first})")
                )
        self.add(problems)

    def summary(self) -> dict:
        ordered = sorted(self.rejections, key=lambda r: r.line)
        return {
            "rejected_count": len(self.rejected_lines),
            "rejected": [r.as_dict() for r in ordered],
        }
