"""portal.image_variants on an article's body: the site's pictures get their size and WebP copies,
after the sanitiser, from the files alone; anything else is left as the sanitiser wrote it. And the
copies themselves: each picture decoded once for all its widths, the same bytes as one at a time, and the
pictures missing from the cache encoded on several processes, in order."""

from __future__ import annotations

import io
import multiprocessing
import os
from pathlib import Path

import helpers

from portal import image_variants
from portal.image_variants import body_image_paths, local_path, responsive_body
from portal.images import ImageFile

ROOT = Path(__file__).resolve().parents[2]

PHOTO = ImageFile("images/anh.png", 1600, 900, 120_000, "image/png")
SMALL = ImageFile("images/nho.png", 300, 200, 9_000, "image/png")
VECTOR = ImageFile("images/so-do.svg", 400, 100, 2_000, "image/svg+xml")
IMAGES = {p.path: p for p in (PHOTO, SMALL, VECTOR)}
SIZES = 'sizes="(min-width: 48rem) 46rem, calc(100vw - 2rem)"'


def test_a_photo_in_a_figure_gets_a_picture_with_its_copies_and_its_size():
    body = ('<figure><img alt="Đại biểu &gt; khách mời" loading="lazy" src="/images/anh.png">'
            '<figcaption>Quang cảnh.</figcaption></figure>')
    assert responsive_body(body, IMAGES) == (
        '<figure><picture><source type="image/webp" srcset="/images/anh.png.360w.webp 360w, '
        f'/images/anh.png.720w.webp 720w, /images/anh.png.1280w.webp 1280w" {SIZES}>'
        '<img alt="Đại biểu &gt; khách mời" loading="lazy" src="/images/anh.png" width="1600" height="900">'
        '</picture><figcaption>Quang cảnh.</figcaption></figure>')


def test_an_absolute_siteurl_is_the_site_and_copies_are_never_wider_than_the_picture():
    body = '<p>Xem <img src="https://antoanthongtin.laocai.gov.vn/images/nho.png" alt="Sơ đồ"> bên dưới.</p>'
    out = responsive_body(body, IMAGES, "https://antoanthongtin.laocai.gov.vn")
    assert 'srcset="https://antoanthongtin.laocai.gov.vn/images/nho.png.300w.webp 300w"' in out
    assert out.startswith("<p>Xem <picture>") and out.endswith("</picture> bên dưới.</p>")
    assert 'width="300" height="200"' in out


def test_what_is_not_a_known_picture_of_the_site_is_left_as_it_is():
    body = ('<p><img src="https://example.org/images/anh.png" alt="a">'  # another host
            '<img src="//example.org/images/anh.png" alt="b">'
            '<img src="/images/../images/khong-co.png" alt="c">'  # not among the pictures read
            '<img src="/theme/img/logo.svg" alt="d">'
            '<img alt="e"></p>')
    assert responsive_body(body, IMAGES) == body


def test_a_vector_gets_its_size_and_no_copies():
    out = responsive_body('<img src="/images/so-do.svg" alt="Sơ đồ">', IMAGES)
    assert out == '<img src="/images/so-do.svg" alt="Sơ đồ" width="400" height="100">'


def test_a_size_written_by_staff_is_kept():
    out = responsive_body('<img src="/images/anh.png" alt="" width="800">', IMAGES)
    assert '<img src="/images/anh.png" alt="" width="800">' in out and 'height="900"' not in out
    assert "<picture>" in out


def test_the_paths_a_body_shows():
    body = ('<img src="/images/anh.png" alt=""><a href="/images/x.png">x</a>'
            '<img src="/images/anh.png?v=2" alt=""><img src="/images/a%20b.png" alt="">'
            '<img src="https://example.org/c.png" alt=""><img src="/../etc/passwd" alt="">')
    assert body_image_paths(body) == ["images/anh.png", "images/a b.png"]
    assert local_path("/images/./anh.png") == "images/anh.png"
    assert local_path("images/anh.png") is None  # Pelican has made every link of the site absolute
    assert local_path("/") is None
    assert local_path("https://example.org/images/anh.png", "https://antoanthongtin.laocai.gov.vn") is None


def _photo(width: int = 640, height: int = 360) -> bytes:
    from PIL import Image

    picture = Image.effect_noise((width // 8, height // 8), 50).convert("RGB").resize((width, height))
    out = io.BytesIO()
    picture.save(out, "JPEG", quality=85)
    return out.getvalue()


def test_the_copies_of_a_picture_decoded_once_are_the_bytes_of_each_made_alone(tmp_path):
    data = _photo()
    together = image_variants.encode_widths(data, [160, 320, 640], 80)
    assert together == {w: image_variants.encode(data, w, 80) for w in (160, 320, 640)}
    assert all(copy[:4] == b"RIFF" and copy[8:12] == b"WEBP" for copy in together.values())
    # made once, then read from the cache, under a name with the whole recipe
    assert image_variants.cached(data, [160, 320], 80, tmp_path) == {}
    assert image_variants.make(data, [160, 320], 80, tmp_path) == {160: together[160], 320: together[320]}
    assert image_variants.cached(data, [160, 320, 640], 80, tmp_path) == {160: together[160], 320: together[320]}
    # (the recipe's version too: a copy made by an encoder that gave other pixels is never taken)
    recipe = f"-q80-m{image_variants.METHOD}-r{image_variants.RECIPE}.webp"
    assert all(p.name.endswith(recipe) for p in tmp_path.iterdir())
    assert not list(tmp_path.glob(".*"))  # no temporary file left


def test_the_pictures_to_encode_are_shared_by_the_build_processes_and_come_back_in_order(monkeypatch, tmp_path):
    plugin = helpers.plugin("responsive_images")

    # the first two pictures wait for each other: two processes encode, however slowly the second starts
    both = [multiprocessing.get_context("fork").Barrier(2)]  # (emptied for the run in this process)

    def make(data, widths, quality, cache):  # (inherited by the forked processes)
        if both and data in (b"anh0", b"anh1"):
            both[0].wait(timeout=60)
        return {w: f"{data.decode()}:{w}:{os.getpid()}".encode() for w in widths}

    monkeypatch.setattr(image_variants, "make", make)
    for n in range(6):
        (tmp_path / f"{n}.jpg").write_bytes(f"anh{n}".encode())
    jobs = [(str(tmp_path / f"{n}.jpg"), [360, 720], 80, None) for n in range(6)]
    copies = list(plugin._encoded(jobs, 2))
    assert [sorted(c) for c in copies] == [[360, 720]] * 6
    made = [c[360].decode().split(":") for c in copies]
    assert [m[0] for m in made] == [f"anh{n}" for n in range(6)]  # each picture's own, in order
    assert len({m[2] for m in made}) == 2 and str(os.getpid()) not in {m[2] for m in made}
    both.clear()
    alone = list(plugin._encoded(jobs, 1))
    assert {c[360].decode().split(":")[2] for c in alone} == {str(os.getpid())}
    # how many: the build's processes, for two pictures or more, in a process without threads (the suite's
    # own servers run threads in this one: the build's process, which runs none, is told so here)
    monkeypatch.setattr(plugin.threading, "active_count", lambda: 1)
    assert plugin._workers({"PORTAL_WORKERS": 0}, 1) == 1 and plugin._workers({"PORTAL_WORKERS": 1}, 50) == 1
    assert plugin._workers({"PORTAL_WORKERS": 0}, 50) == min(50, os.cpu_count() or 1)
    assert plugin._workers({"PORTAL_WORKERS": 3}, 2) == 2
    monkeypatch.setattr(plugin.threading, "active_count", lambda: 2)  # the live preview's server
    assert plugin._workers({"PORTAL_WORKERS": 0}, 50) == 1


def test_a_16_bit_grey_picture_keeps_its_greys_in_its_copies():
    """A 16-bit greyscale PNG (a scanner's, a chart tool's) holds 0-65535: its copies show the same greys,
    not every pixel clipped to white."""
    from PIL import Image

    for mode in ("I;16", "I;16B"):
        grey = Image.linear_gradient("L").resize((256, 64)).convert("I").point(lambda v: v * 257).convert(mode)
        out = io.BytesIO()
        grey.save(out, "PNG")
        with Image.open(io.BytesIO(out.getvalue())) as read:
            assert read.mode.startswith("I")
        copy = image_variants.encode(out.getvalue(), 128)
        with Image.open(io.BytesIO(copy)) as made:
            column = [made.convert("L").getpixel((made.width // 2, y)) for y in (2, made.height // 2, made.height - 3)]
        assert column[0] < 30 and 100 < column[1] < 160 and column[2] > 220, (mode, column)


def test_a_16_bit_grey_pictures_transparent_grey_stays_transparent():
    """A 16-bit grey PNG may name one grey as transparent (tRNS): its copies show that part clear, as the
    original does in a browser, not black."""
    from PIL import Image

    grey = Image.linear_gradient("L").resize((64, 64)).convert("I").point(lambda v: v * 257).convert("I;16")
    pixels = grey.load()
    for y in range(10):
        for x in range(64):
            pixels[x, y] = 1000  # a band of the transparent grey
    out = io.BytesIO()
    grey.save(out, "PNG", transparency=1000)
    with Image.open(io.BytesIO(image_variants.encode(out.getvalue(), 64))) as made:
        rgba = made.convert("RGBA")
        assert rgba.getpixel((30, 4))[3] == 0 and rgba.getpixel((30, 40))[3] == 255
        assert 130 < rgba.getpixel((30, 40))[0] < 190
