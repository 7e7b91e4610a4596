"""A QR code of a short text, drawn as SVG by the gateway itself: the TOTP address that a phone's
authenticator app reads (bot/console/account_pages.py). No image service sees the secret, and
no dependency: byte mode, error correction level M, versions 1 to 20 (up to 666 bytes), as
ISO/IEC 18004 describes them. tests/test_qr.py reads the codes back with a real decoder.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import cache
from itertools import pairwise

from markupsafe import Markup

MAX_VERSION = 20
# per version (index 0 unused), level M: error correction codewords per block, and blocks
ECC_PER_BLOCK = (0, 10, 16, 26, 18, 24, 16, 18, 22, 22, 26, 30, 22, 22, 24, 24, 28, 28, 26, 26, 26)
BLOCKS = (0, 1, 1, 1, 2, 2, 4, 4, 4, 5, 5, 5, 8, 9, 9, 10, 10, 11, 13, 14, 16)
ALIGNMENT = ((), (), (6, 18), (6, 22), (6, 26), (6, 30), (6, 34), (6, 22, 38), (6, 24, 42), (6, 26, 46),
             (6, 28, 50), (6, 30, 54), (6, 32, 58), (6, 34, 62), (6, 26, 46, 66), (6, 26, 48, 70),
             (6, 26, 50, 74), (6, 30, 54, 78), (6, 30, 56, 82), (6, 30, 58, 86), (6, 34, 62, 90))
LEVEL_M = 0b00
MASKS: tuple[Callable[[int, int], bool], ...] = (    # (row, column): True flips the module
    lambda r, c: (r + c) % 2 == 0, lambda r, c: r % 2 == 0, lambda r, c: c % 3 == 0,
    lambda r, c: (r + c) % 3 == 0, lambda r, c: (r // 2 + c // 3) % 2 == 0,
    lambda r, c: (r * c) % 2 + (r * c) % 3 == 0, lambda r, c: ((r * c) % 2 + (r * c) % 3) % 2 == 0,
    lambda r, c: ((r + c) % 2 + (r * c) % 3) % 2 == 0)

Grid = list[list[bool]]


def _multiply(a: int, b: int) -> int:
    """In GF(256) modulo x^8 + x^4 + x^3 + x^2 + 1."""
    product = 0
    while b:
        if b & 1:
            product ^= a
        a, b = (a << 1) ^ (0x11D if a & 0x80 else 0), b >> 1
    return product


def error_correction(data: list[int], degree: int) -> list[int]:
    """Reed-Solomon: the remainder of data(x)·x^degree by the product of (x - 2^i), i < degree."""
    generator = [1]
    root = 1
    for _ in range(degree):
        generator = [a ^ _multiply(b, root) for a, b in zip([*generator, 0], [0, *generator], strict=True)]
        root = _multiply(root, 2)
    remainder = [0] * degree
    for byte in data:
        factor = byte ^ remainder.pop(0)
        remainder.append(0)
        remainder = [r ^ _multiply(g, factor) for r, g in zip(remainder, generator[1:], strict=True)]
    return remainder


def _bch(value: int, generator: int, bits: int) -> int:
    """`value` followed by its BCH check bits (format and version information)."""
    remainder = value << bits
    for shift in range(remainder.bit_length() - generator.bit_length(), -1, -1):
        if remainder >> (shift + generator.bit_length() - 1) & 1:
            remainder ^= generator << shift
    return value << bits | remainder


class Symbol:
    """One version's grid: the fixed patterns first (`fixed` marks them), then the data."""

    def __init__(self, version: int) -> None:
        self.version, self.size = version, version * 4 + 17
        self.dark: Grid = [[False] * self.size for _ in range(self.size)]
        self.fixed: Grid = [[False] * self.size for _ in range(self.size)]
        for row, column in ((0, 0), (0, self.size - 7), (self.size - 7, 0)):
            self._finder(row, column)
        for i in range(8, self.size - 8):
            self._set(6, i, i % 2 == 0)
            self._set(i, 6, i % 2 == 0)
        corners = {(6, 6), (6, self.size - 7), (self.size - 7, 6)}
        for row in ALIGNMENT[version]:
            for column in ALIGNMENT[version]:
                if (row, column) not in corners:
                    self._alignment(row, column)
        self._format(0)                      # reserved now, written with the chosen mask
        if version >= 7:
            self._version_information()

    def _set(self, row: int, column: int, dark: bool) -> None:
        self.dark[row][column], self.fixed[row][column] = dark, True

    def _finder(self, top: int, left: int) -> None:
        for dr in range(-1, 8):
            for dc in range(-1, 8):
                row, column = top + dr, left + dc
                if 0 <= row < self.size and 0 <= column < self.size:
                    ring = max(abs(dr - 3), abs(dc - 3))
                    self._set(row, column, ring in (0, 1, 3))

    def _alignment(self, row: int, column: int) -> None:
        for dr in range(-2, 3):
            for dc in range(-2, 3):
                self._set(row + dr, column + dc, max(abs(dr), abs(dc)) != 1)

    def _format(self, mask: int) -> None:
        bits = _bch(LEVEL_M << 3 | mask, 0x537, 10) ^ 0x5412
        bit = [bool(bits >> i & 1) for i in range(15)]
        for i in range(6):
            self._set(i, 8, bit[i])
        self._set(7, 8, bit[6])
        self._set(8, 8, bit[7])
        self._set(8, 7, bit[8])
        for i in range(9, 15):
            self._set(8, 14 - i, bit[i])
        for i in range(8):
            self._set(8, self.size - 1 - i, bit[i])
        for i in range(8, 15):
            self._set(self.size - 15 + i, 8, bit[i])
        self._set(self.size - 8, 8, True)           # the dark module

    def _version_information(self) -> None:
        bits = _bch(self.version, 0x1F25, 12)
        for i in range(18):
            near, far = i // 3, self.size - 11 + i % 3
            self._set(near, far, bool(bits >> i & 1))
            self._set(far, near, bool(bits >> i & 1))

    def free_cells(self) -> Iterator[tuple[int, int]]:
        """The data modules in placement order: two columns at a time from the right, up then down."""
        upward, right = True, self.size - 1
        while right > 0:
            if right == 6:                           # the vertical timing pattern
                right = 5
            rows = range(self.size - 1, -1, -1) if upward else range(self.size)
            for row in rows:
                for column in (right, right - 1):
                    if not self.fixed[row][column]:
                        yield row, column
            upward, right = not upward, right - 2

    def capacity(self) -> int:
        """Data codewords (the rest of the codewords are error correction)."""
        return sum(1 for _ in self.free_cells()) // 8 - ECC_PER_BLOCK[self.version] * BLOCKS[self.version]


@cache
def _capacity(version: int) -> int:
    return Symbol(version).capacity()


def _codewords(data: bytes, symbol: Symbol) -> list[int]:
    """The data with mode, length, terminator and padding, split into blocks, each with its error
    correction, interleaved."""
    version, capacity = symbol.version, symbol.capacity()
    length_bits = 8 if version < 10 else 16
    bits = f"0100{len(data):0{length_bits}b}" + "".join(f"{byte:08b}" for byte in data)
    bits += "0" * min(4, capacity * 8 - len(bits))
    bits += "0" * (-len(bits) % 8)
    words = [int(bits[i:i + 8], 2) for i in range(0, len(bits), 8)]
    words += [(0xEC, 0x11)[i % 2] for i in range(capacity - len(words))]
    blocks, ecc = BLOCKS[version], ECC_PER_BLOCK[version]
    short = blocks - capacity % blocks                # blocks with one data codeword fewer
    sizes = [capacity // blocks + (i >= short) for i in range(blocks)]
    starts = [sum(sizes[:i]) for i in range(blocks)]
    parts = [words[start:start + size] for start, size in zip(starts, sizes, strict=True)]
    checks = [error_correction(part, ecc) for part in parts]
    interleaved = [part[i] for i in range(max(sizes)) for part in parts if i < len(part)]
    return interleaved + [check[i] for i in range(ecc) for check in checks]


def _penalty(dark: Grid) -> int:
    """ISO/IEC 18004's score of a masked symbol (lower reads better)."""
    size, score = len(dark), 0
    lines = [*dark, *([dark[r][c] for r in range(size)] for c in range(size))]
    for line in lines:
        text = "".join("1" if cell else "0" for cell in line)
        run = 1
        for previous, cell in pairwise(text):
            run = run + 1 if cell == previous else 1
            score += 3 if run == 5 else 1 if run > 5 else 0
        padded = "0000" + text + "0000"
        score += 40 * sum(padded.count(pattern) for pattern in ("10111010000", "00001011101"))
    score += 3 * sum(1 for r in range(size - 1) for c in range(size - 1)
                     if dark[r][c] == dark[r][c + 1] == dark[r + 1][c] == dark[r + 1][c + 1])
    share = sum(map(sum, dark)) * 100 // (size * size)
    return score + 10 * (abs(share - 50) // 5)


def encode(text: str) -> Grid:
    """The modules of the smallest symbol that holds `text` (True: dark); ValueError if none does."""
    data = text.encode()
    version = next((v for v in range(1, MAX_VERSION + 1)
                    if _capacity(v) * 8 >= 4 + (8 if v < 10 else 16) + 8 * len(data)), None)
    if version is None:
        raise ValueError(f"{len(data)} bytes do not fit a version {MAX_VERSION} QR code")
    symbol = Symbol(version)
    bits = "".join(f"{word:08b}" for word in _codewords(data, symbol))
    cells = list(symbol.free_cells())
    for (row, column), bit in zip(cells, bits.ljust(len(cells), "0"), strict=True):
        symbol.dark[row][column] = bit == "1"
    best: tuple[int, Grid] | None = None
    for number, flips in enumerate(MASKS):
        symbol._format(number)
        masked = [[cell != (not symbol.fixed[r][c] and flips(r, c)) for c, cell in enumerate(line)]
                  for r, line in enumerate(symbol.dark)]
        score = _penalty(masked)
        if best is None or score < best[0]:
            best = (score, masked)
    assert best is not None
    return best[1]


def svg(text: str, *, pixels: int = 240) -> Markup:
    """`text` as an inline SVG QR code with its quiet zone (no script, no style: the console's
    Content-Security-Policy allows it). Tens of milliseconds: not on the event loop."""
    grid = encode(text)
    side = len(grid) + 8
    path = "".join(f"M{c + 4},{r + 4}h1v1h-1z" for r, line in enumerate(grid) for c, cell in enumerate(line) if cell)
    return Markup(
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {side} {side}" width="{pixels}" height="{pixels}" '
        f'shape-rendering="crispEdges" role="img"><rect width="{side}" height="{side}" fill="#fff"/>'
        f'<path d="{path}" fill="#000"/></svg>')
