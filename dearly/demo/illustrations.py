"""The demo column's illustrations, drawn here with Pillow: flat shapes in one palette (a desk,
a coffee cup, a calendar, stairs, a letter, a plant, speech bubbles, and the columnist).

Nothing is downloaded or copied: each picture is made by its function below, the same bytes
every time, when `load_demo` first needs it. Drawn at twice the size and scaled down, so that
edges are smooth.
"""

import io
import math
from dataclasses import dataclass
from functools import cache

from PIL import Image, ImageDraw

WIDTH, HEIGHT = 1200, 675  # 16:9, as listings and social cards crop
SCALE = 2

CREAM = (250, 243, 232)
PAPER = (255, 252, 246)
INK = (43, 52, 73)
TEAL = (42, 122, 120)
SAGE = (139, 171, 140)
TERRACOTTA = (201, 106, 74)
MUSTARD = (231, 177, 74)
BLUSH = (240, 200, 184)
SKY = (196, 222, 230)
WOOD = (176, 124, 84)
SKIN = (224, 172, 140)


@dataclass(frozen=True)
class Illustration:
    key: str
    title: str
    description: str  # the alt text
    draw: object  # (ImageDraw, scale function) -> None
    size: tuple = (WIDTH, HEIGHT)
    background: tuple = CREAM

    @cache  # noqa: B019  # a handful of module-level pictures, drawn once per process
    def png(self):
        """The picture as PNG bytes."""
        width, height = self.size
        image = Image.new("RGB", (width * SCALE, height * SCALE), self.background)

        def s(*values):
            return [round(v * SCALE) for v in values]

        self.draw(ImageDraw.Draw(image), s)
        out = io.BytesIO()
        image.reduce(SCALE).save(out, "PNG")
        return out.getvalue()


def _desk(d, s):
    d.rectangle(s(120, 70, 560, 400), fill=SKY, outline=INK, width=s(6)[0])  # the window
    d.line(s(340, 70, 340, 400), fill=INK, width=s(6)[0])
    d.line(s(120, 235, 560, 235), fill=INK, width=s(6)[0])
    d.ellipse(s(420, 110, 500, 190), fill=MUSTARD)  # the sun
    d.rectangle(s(0, 470, 1200, 500), fill=WOOD)  # the desk top
    d.rectangle(s(80, 500, 110, 675), fill=WOOD)
    d.rectangle(s(1090, 500, 1120, 675), fill=WOOD)
    d.polygon(s(560, 470, 600, 300, 900, 300, 940, 470), fill=INK)  # the laptop
    d.polygon(s(585, 455, 615, 320, 885, 320, 915, 455), fill=TEAL)
    d.rectangle(s(520, 462, 980, 472), fill=INK)
    d.line(s(1010, 470, 1010, 300), fill=INK, width=s(10)[0])  # the lamp
    d.line(s(1010, 300, 1090, 220), fill=INK, width=s(10)[0])
    d.polygon(s(1040, 190, 1150, 240, 1090, 290), fill=TERRACOTTA)
    d.ellipse(s(970, 455, 1050, 480), fill=INK)
    d.rectangle(s(300, 420, 380, 470), fill=TERRACOTTA)  # the plant
    for x, y in ((290, 330), (340, 300), (385, 335), (330, 360)):
        d.ellipse(s(x - 28, y - 50, x + 28, y + 50), fill=SAGE)


def _coffee(d, s):
    d.ellipse(s(330, 40, 870, 580), fill=BLUSH)
    d.ellipse(s(380, 520, 820, 600), fill=INK)  # the saucer
    d.ellipse(s(400, 510, 800, 580), fill=PAPER)
    d.rounded_rectangle(s(450, 270, 730, 545), radius=s(60)[0], fill=TEAL)  # the cup
    d.ellipse(s(440, 245, 740, 305), fill=INK)
    d.ellipse(s(455, 252, 725, 298), fill=WOOD)
    d.ellipse(s(700, 330, 810, 460), outline=TEAL, width=s(26)[0])  # the handle
    for x in (530, 590, 650):  # the steam
        d.arc(s(x - 30, 120, x + 30, 200), 90, 270, fill=INK, width=s(8)[0])
        d.arc(s(x - 30, 40, x + 30, 120), 270, 90, fill=INK, width=s(8)[0])
    d.ellipse(s(140, 470, 260, 590), fill=MUSTARD)  # a biscuit
    for x, y in ((175, 510), (215, 540), (200, 500)):
        d.ellipse(s(x - 6, y - 6, x + 6, y + 6), fill=WOOD)


def _calendar(d, s):
    d.rounded_rectangle(
        s(300, 90, 900, 620), radius=s(24)[0], fill=PAPER, outline=INK, width=s(6)[0]
    )
    d.rounded_rectangle(s(300, 90, 900, 200), radius=s(24)[0], fill=TERRACOTTA)
    d.rectangle(s(300, 170, 900, 200), fill=TERRACOTTA)
    for x in (400, 520, 680, 800):  # the rings
        d.rounded_rectangle(s(x - 10, 60, x + 10, 130), radius=s(10)[0], fill=INK)
    marked = {(2, 1): MUSTARD, (4, 2): TEAL, (1, 3): SAGE, (3, 3): MUSTARD}
    for row in range(4):
        for col in range(6):
            x, y = 340 + col * 92, 230 + row * 95
            colour = marked.get((col, row), CREAM)
            d.rounded_rectangle(s(x, y, x + 72, y + 72), radius=s(10)[0], fill=colour)
    d.ellipse(s(512, 410, 608, 506), outline=TERRACOTTA, width=s(8)[0])  # a circled day
    d.line(s(960, 560, 1100, 420), fill=INK, width=s(18)[0])  # a pencil
    d.polygon(s(945, 575, 955, 545, 975, 565), fill=INK)


def _stairs(d, s):
    d.ellipse(s(700, 50, 820, 170), fill=MUSTARD)
    colours = [TEAL, SAGE, MUSTARD, TERRACOTTA, TEAL, SAGE]
    for n, colour in enumerate(colours):  # six steps up, one per step of the guide
        x, y = 120 + n * 150, 600 - n * 80
        d.rectangle(s(x, y, x + 150, 675), fill=colour)
        d.line(s(x, y, x + 150, y), fill=INK, width=s(6)[0])
    d.line(s(1010, 200, 1010, 60), fill=INK, width=s(8)[0])  # the flag at the top
    d.polygon(s(1010, 60, 1110, 90, 1010, 120), fill=TERRACOTTA)
    d.ellipse(s(240, 420, 300, 480), fill=INK)  # someone on the way up
    d.line(s(270, 480, 270, 560), fill=INK, width=s(14)[0])
    d.line(s(270, 560, 240, 600), fill=INK, width=s(12)[0])
    d.line(s(270, 560, 310, 590), fill=INK, width=s(12)[0])
    d.line(s(270, 500, 320, 470), fill=INK, width=s(12)[0])


def _letter(d, s):
    d.ellipse(s(330, 20, 870, 560), fill=SKY)
    d.rectangle(s(320, 260, 880, 600), fill=TERRACOTTA)  # the envelope
    d.rounded_rectangle(
        s(380, 120, 820, 470), radius=s(12)[0], fill=PAPER, outline=INK, width=s(4)[0]
    )
    for n, length in enumerate((300, 340, 260, 320, 200)):
        y = 170 + n * 45
        d.line(s(420, y, 420 + length, y), fill=INK, width=s(8)[0])
    d.polygon(s(320, 330, 600, 500, 880, 330, 880, 600, 320, 600), fill=TERRACOTTA)
    d.line(s(320, 600, 560, 450), fill=INK, width=s(5)[0])
    d.line(s(880, 600, 640, 450), fill=INK, width=s(5)[0])
    _heart(d, s, 600, 520, 40)


def _heart(d, s, cx, cy, r):
    d.ellipse(s(cx - r, cy - r, cx, cy), fill=MUSTARD)
    d.ellipse(s(cx, cy - r, cx + r, cy), fill=MUSTARD)
    d.polygon(s(cx - r + 2, cy - r / 2 + 6, cx + r - 2, cy - r / 2 + 6, cx, cy + r), fill=MUSTARD)


def _plant(d, s):
    d.rectangle(s(0, 560, 1200, 675), fill=WOOD)
    d.polygon(s(500, 420, 700, 420, 670, 580, 530, 580), fill=TERRACOTTA)  # the pot
    d.rectangle(s(485, 400, 715, 440), fill=TERRACOTTA, outline=INK, width=s(4)[0])
    d.line(s(600, 400, 600, 180), fill=SAGE, width=s(12)[0])
    for n in range(7):  # the leaves, alternating sides
        angle = math.radians(-150 + n * 20 if n % 2 else -30 - n * 20)
        y = 380 - n * 30
        x2, y2 = 600 + 150 * math.cos(angle), y + 150 * math.sin(angle)
        d.line(s(600, y, x2, y2), fill=SAGE, width=s(8)[0])
        d.ellipse(s(x2 - 45, y2 - 25, x2 + 45, y2 + 25), fill=TEAL if n % 2 else SAGE)
    d.polygon(s(820, 470, 990, 470, 970, 560, 840, 560), fill=MUSTARD)  # the watering can
    d.line(s(990, 490, 1070, 430), fill=MUSTARD, width=s(14)[0])
    d.arc(s(840, 400, 970, 520), 180, 360, fill=INK, width=s(8)[0])


def _chat(d, s):
    bubbles = [
        (150, 90, 620, 250, TEAL, "left"),
        (560, 250, 1050, 400, TERRACOTTA, "right"),
        (200, 420, 640, 570, SAGE, "left"),
    ]
    for x1, y1, x2, y2, colour, side in bubbles:
        d.rounded_rectangle(s(x1, y1, x2, y2), radius=s(40)[0], fill=colour)
        if side == "left":
            d.polygon(s(x1 + 40, y2 - 10, x1 + 20, y2 + 50, x1 + 110, y2 - 10), fill=colour)
        else:
            d.polygon(s(x2 - 110, y2 - 10, x2 - 20, y2 + 50, x2 - 40, y2 - 10), fill=colour)
        for n in range(3):
            cx, cy = (x1 + x2) / 2 - 70 + n * 70, (y1 + y2) / 2
            d.ellipse(s(cx - 16, cy - 16, cx + 16, cy + 16), fill=PAPER)


def _columnist(d, s):
    d.ellipse(s(60, 60, 740, 740), fill=SKY)
    d.ellipse(s(180, 560, 620, 900), fill=TEAL)  # shoulders
    d.polygon(s(330, 560, 470, 560, 400, 660), fill=PAPER)  # the collar
    d.rectangle(s(365, 470, 435, 580), fill=SKIN)  # neck
    d.ellipse(s(215, 140, 585, 480), fill=INK)  # hair, behind
    d.rounded_rectangle(s(215, 300, 585, 580), radius=s(60)[0], fill=INK)
    d.ellipse(s(270, 200, 530, 500), fill=SKIN)  # face
    d.polygon(s(265, 300, 300, 190, 420, 165, 530, 215, 540, 290, 430, 235, 330, 260), fill=INK)
    for cx in (345, 455):  # round glasses
        d.ellipse(s(cx - 42, 310, cx + 42, 394), outline=TERRACOTTA, width=s(8)[0])
        d.ellipse(s(cx - 8, 344, cx + 8, 360), fill=INK)
    d.line(s(387, 350, 413, 350), fill=TERRACOTTA, width=s(8)[0])
    d.arc(s(350, 390, 450, 450), 20, 160, fill=INK, width=s(7)[0])  # a smile
    d.ellipse(s(520, 420, 560, 460), fill=MUSTARD)  # an earring


ILLUSTRATIONS = {
    item.key: item
    for item in [
        Illustration(
            "desk",
            "A desk by a sunny window",
            "A desk with a laptop, a lamp and a small plant, by a window with the sun outside.",
            _desk,
        ),
        Illustration(
            "coffee",
            "A cup of coffee",
            "A steaming cup of coffee on a saucer, with a biscuit beside it.",
            _coffee,
        ),
        Illustration(
            "calendar",
            "A calendar with marked days",
            "A wall calendar with a few days coloured in and one day circled.",
            _calendar,
        ),
        Illustration(
            "stairs",
            "Six steps up",
            "A small figure climbing six coloured steps towards a flag at the top.",
            _stairs,
        ),
        Illustration(
            "letter",
            "A letter in its envelope",
            "A handwritten letter sliding out of an envelope sealed with a heart.",
            _letter,
        ),
        Illustration(
            "plant",
            "A plant and its watering can",
            "A potted plant on a shelf with a watering can beside it.",
            _plant,
        ),
        Illustration(
            "chat",
            "Three speech bubbles",
            "Three speech bubbles, each with an ellipsis: a conversation in progress.",
            _chat,
        ),
        Illustration(
            "columnist",
            "Dr. Mimi",
            "A drawing of Dr. Mimi: dark hair, round glasses and a smile.",
            _columnist,
            size=(800, 800),
            background=PAPER,
        ),
    ]
}
