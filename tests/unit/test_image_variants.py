"""portal.image_variants on an article's body: the site's pictures get their size and WebP copies,
after the sanitiser, from the files alone; anything else is left as the sanitiser wrote it."""

from __future__ import annotations

from portal.image_variants import body_image_paths, local_path, responsive_body
from portal.images import ImageFile

PHOTO = ImageFile("images/anh.png", 1600, 900, 120_000, "image/png")
SMALL = ImageFile("images/nho.png", 300, 200, 9_000, "image/png")
VECTOR = ImageFile("images/so-do.svg", 400, 100, 2_000, "image/svg+xml")
IMAGES = {p.path: p for p in (PHOTO, SMALL, VECTOR)}
SIZES = 'sizes="(min-width: 48rem) 46rem, calc(100vw - 2rem)"'


def test_a_photo_in_a_figure_gets_a_picture_with_its_copies_and_its_size():
    body = ('<figure><img alt="Đại biểu &gt; khách mời" loading="lazy" src="/images/anh.png">'
            '<figcaption>Quang cảnh.</figcaption></figure>')
    assert responsive_body(body, IMAGES) == (
        '<figure><picture><source type="image/webp" srcset="/images/anh.360w.webp 360w, '
        f'/images/anh.720w.webp 720w, /images/anh.1280w.webp 1280w" {SIZES}>'
        '<img alt="Đại biểu &gt; khách mời" loading="lazy" src="/images/anh.png" width="1600" height="900">'
        '</picture><figcaption>Quang cảnh.</figcaption></figure>')


def test_an_absolute_siteurl_is_the_site_and_copies_are_never_wider_than_the_picture():
    body = '<p>Xem <img src="https://antoanthongtin.laocai.gov.vn/images/nho.png" alt="Sơ đồ"> bên dưới.</p>'
    out = responsive_body(body, IMAGES, "https://antoanthongtin.laocai.gov.vn")
    assert 'srcset="https://antoanthongtin.laocai.gov.vn/images/nho.300w.webp 300w"' in out
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
