"""Draw the sample portal's illustrations into content/images/.

    python tools/make_sample_images.py [--out content/images]

Every picture is drawn here from flat colours and simple shapes (a shield, a
meeting table, screens, bars…), so the sample content carries no downloaded
photo and no licence question. Only the standard library is used: the PNG is
written by hand (zlib + struct) as an 8-bit palette image, which keeps each
file a few kilobytes. The output is deterministic: the same script always
writes the same bytes.
"""

from __future__ import annotations

import argparse
import math
import struct
import zlib
from collections.abc import Callable
from pathlib import Path

WIDTH, HEIGHT = 640, 360
ROOT = Path(__file__).resolve().parent.parent

# One palette shared by every picture: the portal's calm blues, a warning
# red and amber, greens for the mountains, neutral greys and skin tones.
PALETTE: dict[str, tuple[int, int, int]] = {
    "white": (255, 255, 255),
    "paper": (244, 246, 248),
    "sky": (214, 232, 245),
    "sky2": (189, 216, 236),
    "navy": (17, 50, 87),
    "blue": (26, 95, 160),
    "blue2": (70, 140, 200),
    "teal": (25, 135, 130),
    "red": (196, 40, 40),
    "darkred": (140, 25, 25),
    "amber": (240, 170, 30),
    "yellow": (252, 215, 60),
    "green": (60, 130, 70),
    "green2": (95, 165, 90),
    "green3": (150, 195, 120),
    "grey": (120, 128, 138),
    "grey2": (180, 186, 194),
    "grey3": (220, 224, 228),
    "dark": (38, 42, 48),
    "wood": (150, 100, 60),
    "wood2": (185, 135, 85),
    "skin": (230, 190, 155),
    "skin2": (200, 150, 110),
    "hair": (45, 35, 30),
    "olive": (85, 105, 60),
    "screen": (12, 30, 48),
    "code": (90, 220, 140),
    "orange": (230, 110, 40),
    "purple": (120, 80, 160),
}
NAMES = list(PALETTE)
INDEX = {name: i for i, name in enumerate(NAMES)}


class Canvas:
    """A palette picture: one byte per pixel, an index into PALETTE."""

    def __init__(self, width: int = WIDTH, height: int = HEIGHT, background: str = "paper"):
        self.width, self.height = width, height
        self.pixels = bytearray([INDEX[background]]) * (width * height)

    # ---- primitives ---------------------------------------------------------
    def rect(self, x0: float, y0: float, x1: float, y1: float, colour: str) -> None:
        c = INDEX[colour]
        x0, x1 = max(0, int(x0)), min(self.width, int(x1))
        y0, y1 = max(0, int(y0)), min(self.height, int(y1))
        if x1 <= x0:
            return
        row = bytes([c]) * (x1 - x0)
        for y in range(y0, y1):
            start = y * self.width
            self.pixels[start + x0:start + x1] = row

    def span(self, y: int, x0: float, x1: float, c: int) -> None:
        if not 0 <= y < self.height:
            return
        a, b = max(0, int(round(x0))), min(self.width, int(round(x1)))
        if b > a:
            start = y * self.width
            self.pixels[start + a:start + b] = bytes([c]) * (b - a)

    def ellipse(self, cx: float, cy: float, rx: float, ry: float, colour: str) -> None:
        c = INDEX[colour]
        for y in range(int(cy - ry), int(cy + ry) + 1):
            dy = (y + 0.5 - cy) / ry
            if abs(dy) > 1:
                continue
            half = rx * math.sqrt(1 - dy * dy)
            self.span(y, cx - half, cx + half, c)

    def circle(self, cx: float, cy: float, r: float, colour: str) -> None:
        self.ellipse(cx, cy, r, r, colour)

    def polygon(self, points: list[tuple[float, float]], colour: str) -> None:
        """Even-odd scanline fill."""
        c = INDEX[colour]
        ys = [p[1] for p in points]
        n = len(points)
        for y in range(max(0, int(min(ys))), min(self.height, int(max(ys)) + 1)):
            sy = y + 0.5
            xs = []
            for i in range(n):
                (x0, y0), (x1, y1) = points[i], points[(i + 1) % n]
                if (y0 <= sy < y1) or (y1 <= sy < y0):
                    xs.append(x0 + (sy - y0) * (x1 - x0) / (y1 - y0))
            xs.sort()
            for a, b in zip(xs[0::2], xs[1::2], strict=True):
                self.span(y, a, b, c)

    def rounded(self, x0: float, y0: float, x1: float, y1: float, r: float, colour: str) -> None:
        self.rect(x0 + r, y0, x1 - r, y1, colour)
        self.rect(x0, y0 + r, x1, y1 - r, colour)
        for cx, cy in ((x0 + r, y0 + r), (x1 - r, y0 + r), (x0 + r, y1 - r), (x1 - r, y1 - r)):
            self.circle(cx, cy, r, colour)

    def line(self, x0: float, y0: float, x1: float, y1: float, width: float, colour: str) -> None:
        dx, dy = x1 - x0, y1 - y0
        length = math.hypot(dx, dy) or 1
        nx, ny = -dy / length * width / 2, dx / length * width / 2
        self.polygon([(x0 + nx, y0 + ny), (x1 + nx, y1 + ny), (x1 - nx, y1 - ny), (x0 - nx, y0 - ny)], colour)

    # ---- output -------------------------------------------------------------
    def png(self) -> bytes:
        def chunk(kind: bytes, data: bytes) -> bytes:
            return (struct.pack(">I", len(data)) + kind + data
                    + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))

        raw = bytearray()
        for y in range(self.height):
            raw.append(0)  # filter: none (flat colours compress best this way)
            raw += self.pixels[y * self.width:(y + 1) * self.width]
        header = struct.pack(">IIBBBBB", self.width, self.height, 8, 3, 0, 0, 0)
        palette = b"".join(bytes(PALETTE[name]) for name in NAMES)
        return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"PLTE", palette)
                + chunk(b"IDAT", zlib.compress(bytes(raw), 9)) + chunk(b"IEND", b""))


# ---- reusable figures -----------------------------------------------------------
def shield(cv: Canvas, cx: float, top: float, w: float, h: float, colour: str) -> None:
    pts = [(cx, top), (cx + w / 2, top + h * 0.14), (cx + w / 2, top + h * 0.5)]
    steps = 12
    for i in range(1, steps + 1):  # the curved lower half meeting at the point
        t = i / steps
        pts.append((cx + w / 2 * math.cos(t * math.pi / 2), top + h * 0.5 + h * 0.5 * math.sin(t * math.pi / 2)))
    pts += [(cx - x + cx, y) for x, y in reversed(pts[1:-1])]
    cv.polygon(pts, colour)


def person(cv: Canvas, cx: float, base: float, scale: float = 1.0, shirt: str = "blue",
           skin: str = "skin") -> None:
    """A seated figure seen from the front: head and shoulders."""
    cv.rounded(cx - 24 * scale, base - 44 * scale, cx + 24 * scale, base + 10 * scale, 12 * scale, shirt)
    cv.circle(cx, base - 62 * scale, 16 * scale, skin)
    cv.ellipse(cx, base - 72 * scale, 16 * scale, 8 * scale, "hair")


def warning_triangle(cv: Canvas, cx: float, cy: float, size: float, colour: str = "amber") -> None:
    cv.polygon([(cx, cy - size * 0.58), (cx + size / 2, cy + size * 0.29), (cx - size / 2, cy + size * 0.29)], colour)
    cv.rect(cx - size * 0.045, cy - size * 0.3, cx + size * 0.045, cy + size * 0.05, "dark")
    cv.circle(cx, cy + size * 0.15, size * 0.05, "dark")


def monitor(cv: Canvas, x: float, y: float, w: float, h: float, seed: int, accent: str = "code") -> None:
    cv.rounded(x - 6, y - 6, x + w + 6, y + h + 6, 6, "dark")
    cv.rect(x, y, x + w, y + h, "screen")
    cv.rect(x + w / 2 - 8, y + h + 6, x + w / 2 + 8, y + h + 22, "grey")
    cv.rect(x + w / 2 - 30, y + h + 22, x + w / 2 + 30, y + h + 28, "grey")
    # lines of "code" whose lengths come from a small deterministic sequence
    value = seed * 7919 + 17
    line_y = y + 12
    while line_y < y + h - 10:
        value = (value * 1103515245 + 12345) % 2147483648
        length = 0.25 + (value % 1000) / 1000 * 0.6
        indent = 10 + (value // 1000 % 3) * 14
        colour = accent if value % 5 else "amber"
        cv.rect(x + indent, line_y, x + indent + (w - 30) * length, line_y + 5, colour)
        line_y += 13


def mountains(cv: Canvas, horizon: float) -> None:
    cv.polygon([(0, horizon), (110, horizon - 120), (230, horizon - 40), (330, horizon - 150),
                (470, horizon - 30), (560, horizon - 110), (640, horizon - 60), (640, horizon), ], "green2")
    cv.polygon([(0, horizon), (70, horizon - 55), (180, horizon - 10), (300, horizon - 80),
                (420, horizon), ], "green")
    cv.polygon([(330, horizon - 150), (352, horizon - 128), (338, horizon - 122), (316, horizon - 132)], "white")


# ---- the pictures ------------------------------------------------------------------
def meeting_front(cv: Canvas) -> None:
    """Delegates at a long table in front of a red backdrop (the 2015 visit)."""
    cv.rect(0, 0, 640, 230, "darkred")
    cv.rect(0, 0, 640, 24, "red")
    cv.circle(320, 95, 46, "yellow")
    cv.polygon([(320, 62), (329, 88), (356, 88), (334, 104), (342, 130), (320, 114),
                (298, 130), (306, 104), (284, 88), (311, 88)], "red")
    cv.rect(0, 230, 640, 360, "wood2")
    for i, shirt in enumerate(("olive", "olive", "navy", "olive", "olive", "olive", "navy")):
        person(cv, 70 + i * 83, 262, 1.0, shirt)
    cv.rect(20, 258, 620, 290, "wood")
    cv.rect(20, 290, 620, 360, "green")  # the green baize of a formal table
    for i in range(7):
        cv.rect(52 + i * 83, 244, 88 + i * 83, 258, "white")  # name plates
        cv.circle(70 + i * 83, 238, 5, "sky2")  # microphones
        cv.line(70 + i * 83, 242, 70 + i * 83, 258, 2, "dark")


def meeting_table(cv: Canvas) -> None:
    """A coordination meeting seen from above: table, papers, cups, laptops."""
    cv.rect(0, 0, 640, 360, "grey3")
    cv.rounded(90, 110, 550, 250, 60, "wood")
    cv.rounded(100, 120, 540, 240, 52, "wood2")
    chairs = [(150, 80), (240, 80), (330, 80), (420, 80), (500, 80),
              (150, 280), (240, 280), (330, 280), (420, 280), (500, 280)]
    for x, y in chairs:
        cv.rounded(x - 26, y - 18, x + 26, y + 18, 8, "navy")
    for x, y in chairs:
        top = y < 180
        py = 140 if top else 200
        cv.rect(x - 16, py - 12, x + 16, py + 12, "white")
        cv.rect(x - 10, py - 6, x + 10, py - 3, "grey2")
        cv.rect(x - 10, py, x + 6, py + 3, "grey2")
        cv.circle(x + 30, py, 7, "white")
        cv.circle(x + 30, py, 4, "wood")
    cv.rect(60, 150, 80, 210, "dark")  # the screen at the end of the room
    cv.rect(64, 154, 76, 206, "blue2")
    cv.rounded(290, 160, 350, 200, 6, "red")  # a red folder: the report


def podium(cv: Canvas) -> None:
    """A speaker at a lectern, a projected slide with a shield."""
    cv.rect(0, 0, 640, 360, "sky")
    cv.rect(0, 270, 640, 360, "grey2")
    cv.rect(330, 40, 610, 210, "white")
    cv.rect(330, 40, 610, 62, "blue")
    shield(cv, 400, 80, 80, 110, "blue")
    cv.polygon([(380, 132), (394, 120), (405, 132), (428, 104), (440, 116), (405, 152)], "white")
    for i in range(5):
        cv.rect(460, 90 + i * 22, 460 + (120 - i * 14), 100 + i * 22, "grey2")
    person(cv, 160, 190, 1.3, "navy")
    cv.polygon([(100, 200), (220, 200), (206, 320), (114, 320)], "wood")
    cv.rect(96, 192, 224, 206, "wood2")
    shield(cv, 160, 236, 36, 46, "yellow")
    cv.line(150, 192, 140, 150, 3, "dark")
    cv.circle(140, 148, 5, "dark")


def vuln_shield(cv: Canvas) -> None:
    """A red shield with an exclamation mark over server racks."""
    cv.rect(0, 0, 640, 360, "navy")
    for x in (40, 150, 460, 570):
        cv.rect(x, 70, x + 80, 330, "dark")
        for j in range(8):
            y = 84 + j * 30
            cv.rect(x + 8, y, x + 72, y + 20, "grey")
            cv.circle(x + 18, y + 10, 3, "code" if (j + x) % 3 else "red")
            cv.rect(x + 30, y + 8, x + 64, y + 12, "dark")
    shield(cv, 320, 40, 200, 260, "red")
    shield(cv, 320, 58, 164, 220, "darkred")
    cv.rect(306, 100, 334, 200, "white")
    cv.circle(320, 232, 16, "white")


def phishing_phone(cv: Canvas) -> None:
    """A phone with a fake message, a hook and a warning sign."""
    cv.rect(0, 0, 640, 360, "sky")
    cv.circle(520, 80, 160, "sky2")
    cv.rounded(230, 20, 410, 345, 22, "dark")
    cv.rect(244, 50, 396, 312, "white")
    cv.rect(244, 50, 396, 80, "blue")
    cv.circle(262, 65, 9, "yellow")
    cv.rounded(254, 94, 370, 140, 10, "grey3")
    for i in range(3):
        cv.rect(264, 104 + i * 11, 350 - i * 22, 109 + i * 11, "grey")
    cv.rounded(254, 152, 384, 214, 10, "grey3")
    cv.rect(264, 162, 370, 167, "grey")
    cv.rect(264, 174, 340, 179, "grey")
    cv.rounded(264, 188, 350, 206, 6, "red")  # the link that must not be tapped
    cv.rect(274, 195, 340, 199, "white")
    cv.circle(320, 328, 9, "grey")
    # the hook
    cv.circle(129, 180, 34, "grey")
    cv.circle(129, 180, 26, "sky")
    cv.rect(90, 140, 129, 180, "sky")
    cv.rect(155, 0, 163, 181, "grey")
    cv.polygon([(95, 181), (103, 150), (115, 181)], "grey")
    warning_triangle(cv, 520, 230, 150)


def drill_room(cv: Canvas) -> None:
    """An operations room: a wall of screens, a map, operators at desks."""
    cv.rect(0, 0, 640, 360, "navy")
    monitor(cv, 40, 30, 160, 100, 1)
    monitor(cv, 240, 30, 160, 100, 2, "blue2")
    monitor(cv, 440, 30, 160, 100, 3)
    # the middle screen shows a network map
    cv.rect(240, 30, 400, 130, "screen")
    nodes = [(270, 60), (320, 50), (370, 70), (290, 105), (350, 110), (320, 80)]
    for a, b in ((0, 5), (1, 5), (2, 5), (3, 5), (4, 5), (0, 3), (2, 4)):
        cv.line(*nodes[a], *nodes[b], 2, "blue2")
    for i, (x, y) in enumerate(nodes):
        cv.circle(x, y, 7, "red" if i == 2 else "code")
    cv.rect(0, 250, 640, 360, "dark")
    for i in range(4):
        person(cv, 100 + i * 145, 262, 0.9, ("blue", "teal", "blue", "olive")[i])
    cv.rect(0, 262, 640, 290, "grey")
    for i in range(4):
        cv.rect(74 + i * 145, 240, 126 + i * 145, 262, "grey3")  # laptops, backs to us


def ransomware_screen(cv: Canvas) -> None:
    """A screen locked by ransomware: a padlock, a red banner and a timer."""
    cv.rect(0, 0, 640, 360, "grey3")
    monitor(cv, 110, 30, 420, 250, 9)
    cv.rect(110, 30, 530, 280, "darkred")
    cv.rect(110, 30, 530, 70, "red")
    cv.circle(320, 140, 48, "yellow")
    cv.circle(320, 140, 32, "darkred")
    cv.rect(260, 140, 380, 240, "yellow")
    cv.rect(314, 170, 326, 210, "darkred")
    cv.circle(320, 172, 12, "darkred")
    for i in range(4):
        cv.rounded(150 + i * 30, 240, 170 + i * 30, 266, 4, "white")
        cv.rounded(410 + i * 30, 240, 430 + i * 30, 266, 4, "white")
    cv.rect(0, 330, 640, 360, "grey2")


def training_room(cv: Canvas) -> None:
    """A class: projected slide with a phone and a warning, rows of learners."""
    cv.rect(0, 0, 640, 360, "paper")
    cv.rect(140, 20, 500, 200, "white")
    cv.rect(140, 20, 500, 200, "grey3")
    cv.rect(150, 30, 490, 190, "white")
    cv.rounded(180, 50, 250, 175, 10, "dark")
    cv.rect(188, 64, 242, 160, "sky")
    cv.rounded(194, 80, 236, 100, 4, "red")
    warning_triangle(cv, 300, 110, 80, "amber")
    for i in range(5):
        cv.rect(350, 60 + i * 24, 470 - (i % 2) * 40, 70 + i * 24, "blue2")
    cv.rect(0, 235, 640, 360, "grey2")
    for row, (base, scale) in enumerate(((290, 0.8), (350, 1.0))):
        for i in range(6 - row):
            x = 70 + i * 100 + row * 45
            person(cv, x, base, scale, ("teal", "blue", "olive", "purple", "orange", "blue")[(i + row) % 6],
                   "skin" if (i + row) % 3 else "skin2")
        cv.rect(0, base - 4 * scale, 640, base + 12 * scale, "wood")


def bar_chart(cv: Canvas) -> None:
    """Incidents blocked per month: ten bars, the last months highlighted."""
    cv.rect(0, 0, 640, 360, "white")
    cv.rect(60, 30, 62, 310, "grey")
    cv.rect(60, 308, 610, 310, "grey")
    for i in range(1, 6):
        cv.rect(62, 310 - i * 50, 610, 311 - i * 50, "grey3")
    values = [118, 134, 126, 152, 147, 171, 190, 176, 214, 236]
    for i, v in enumerate(values):
        x = 80 + i * 52
        cv.rect(x, 308 - v, x + 34, 308, "red" if i >= 8 else "blue")
    cv.polygon([(440, 36), (600, 36), (600, 70), (440, 70)], "paper")
    cv.rect(452, 46, 468, 60, "blue")
    cv.rect(474, 50, 520, 56, "grey")
    cv.rect(532, 46, 548, 60, "red")
    cv.rect(554, 50, 590, 56, "grey")


def market_mountains(cv: Canvas) -> None:
    """A highland market under the mountains: stalls, a tent, people, a leaflet."""
    cv.rect(0, 0, 640, 360, "sky")
    cv.circle(560, 60, 30, "yellow")
    mountains(cv, 200)
    cv.rect(0, 200, 640, 360, "green3")
    cv.rect(0, 280, 640, 360, "grey2")
    # the outreach tent
    cv.polygon([(220, 150), (420, 150), (450, 190), (190, 190)], "blue")
    cv.rect(200, 190, 440, 204, "yellow")
    cv.rect(205, 190, 211, 290, "grey")
    cv.rect(429, 190, 435, 290, "grey")
    cv.rect(240, 250, 400, 290, "white")
    shield(cv, 320, 215, 40, 52, "red")
    for x, colour in ((60, "purple"), (130, "red"), (500, "orange"), (580, "purple")):
        cv.polygon([(x - 30, 300), (x + 30, 300), (x + 20, 240), (x - 20, 240)], colour)
        cv.circle(x, 222, 16, "skin2")
        cv.ellipse(x, 208, 20, 8, colour)
    cv.rounded(270, 300, 370, 350, 6, "white")  # leaflets on the table
    for i in range(3):
        cv.rect(282, 310 + i * 12, 358 - i * 16, 315 + i * 12, "blue2")


def students(cv: Canvas) -> None:
    """Pupils at computers with a shield on the wall (a school contest)."""
    cv.rect(0, 0, 640, 360, "sky")
    shield(cv, 320, 20, 90, 110, "blue")
    cv.polygon([(296, 78), (310, 66), (320, 78), (344, 50), (356, 62), (320, 98)], "white")
    cv.rect(0, 230, 640, 360, "grey2")
    for i in range(3):
        x = 40 + i * 200
        monitor(cv, x + 20, 140, 120, 70, 20 + i, "blue2")
        person(cv, x + 80, 300, 0.9, ("blue", "red", "teal")[i])
        cv.rect(x, 300, x + 180, 314, "wood")


PICTURES: dict[str, Callable[[Canvas], None]] = {
    "bo-truong-tran-dai-quang-tham-cong-an-lao-cai.png": meeting_front,
    "hoi-nghi-so-ket-phoi-hop-2026.png": meeting_table,
    "hoi-nghi-dai-bieu-phat-bieu.png": podium,
    "canh-bao-lo-hong-may-chu-thu-dien-tu.png": vuln_shield,
    "canh-bao-lua-dao-gia-danh-cong-an.png": phishing_phone,
    "dien-tap-thuc-chien-2026.png": drill_room,
    "dien-tap-ma-hoa-du-lieu.png": ransomware_screen,
    "tap-huan-nhan-dien-lua-dao.png": training_room,
    "thong-ke-ngan-chan-tan-cong-2026.png": bar_chart,
    "tuyen-truyen-cho-phien-bac-ha.png": market_mountains,
    "cuoc-thi-hoc-sinh-an-toan-thong-tin.png": students,
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "content" / "images")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    for name, draw in PICTURES.items():
        canvas = Canvas()
        draw(canvas)
        data = canvas.png()
        (args.out / name).write_bytes(data)
        print(f"{args.out / name}: {len(data)} bytes")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
