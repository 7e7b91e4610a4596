"""The console's own QR codes (bot/console/qr.py): every version from 1 to 20 read back by a
real decoder (zbarimg, from Debian's zbar-tools; scripts/test installs it), the Reed-Solomon
codewords of the standard's worked example, and the SVG the account page shows."""

from __future__ import annotations

import re
import shutil
import struct
import subprocess
import zlib
from pathlib import Path

import pytest

from bot.console import qr

URI = "otpauth://totp/Helpline%20console:cw%40union.example?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&issuer=Helpline"
# the shortest text of each version's capacity at level M, and the longest
LENGTHS = [1, 14, 15, 26, 27, 42, 43, 62, 63, 84, 85, 106, 107, 122, 123, 152, 153, 180, 181, 213, 214, 251, 252,
           287, 288, 331, 332, 362, 363, 412, 413, 450, 451, 504, 505, 560, 561, 624, 625, 666]


def png(grid: qr.Grid, path: Path, scale: int = 4) -> None:
    """A grayscale PNG of `grid` with its quiet zone of 4 modules."""
    side = len(grid) + 8
    rows = []
    for r in range(-4, side - 4):
        line = b"".join((b"\x00" if 0 <= r < len(grid) and 0 <= c < len(grid) and grid[r][c] else b"\xff") * scale
                        for c in range(-4, side - 4))
        rows += [b"\x00" + line] * scale

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    width = side * scale
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, width, 8, 0, 0, 0, 0))
                     + chunk(b"IDAT", zlib.compress(b"".join(rows))) + chunk(b"IEND", b""))


NO_DECODER = pytest.mark.skipif(shutil.which("zbarimg") is None, reason="zbarimg (Debian's zbar-tools) is missing")


def read(grid: qr.Grid, folder: Path) -> str:
    """What a decoder reads from `grid`."""
    png(grid, folder / "code.png")
    found = subprocess.run(["zbarimg", "--raw", "-q", str(folder / "code.png")], capture_output=True, text=True,
                           timeout=30)
    return found.stdout.removesuffix("\n")


def grid_of(drawn: str) -> qr.Grid:
    """The modules of an SVG from `qr.svg` (its path: one square per dark module)."""
    box = re.search(r'viewBox="0 0 (\d+) ', drawn)
    assert box is not None
    side = int(box.group(1)) - 8
    grid = [[False] * side for _ in range(side)]
    for x, y in re.findall(r"M(\d+),(\d+)h1v1h-1z", drawn):
        grid[int(y) - 4][int(x) - 4] = True
    return grid


@NO_DECODER
def test_a_decoder_reads_every_version_back(tmp_path: Path) -> None:
    versions = set()
    for length in LENGTHS:
        text = (URI * 8)[:length]
        grid = qr.encode(text)
        versions.add((len(grid) - 17) // 4)
        assert read(grid, tmp_path) == text, length
    assert versions == set(range(1, 21))


def test_the_smallest_version_that_holds_the_text() -> None:
    assert [(len(qr.encode("x" * n)) - 17) // 4 for n in (14, 15, 666)] == [1, 2, 20]
    with pytest.raises(ValueError, match="do not fit"):
        qr.encode("x" * 667)


def test_reed_solomon_of_the_standards_example() -> None:
    """"HELLO WORLD" at 1-M, as the standard's annex and every tutorial work it out."""
    data = [32, 91, 11, 120, 209, 114, 220, 77, 67, 64, 236, 17, 236, 17, 236, 17]
    assert qr.error_correction(data, 10) == [196, 35, 39, 119, 235, 215, 231, 226, 93, 23]


def test_the_svg_has_no_script_no_style_and_no_address() -> None:
    drawn = str(qr.svg(URI))
    assert drawn.startswith("<svg ") and drawn.endswith("</svg>")
    assert "<script" not in drawn and "style" not in drawn and "href" not in drawn and "secret" not in drawn
    assert grid_of(drawn) == qr.encode(URI)
