"""Reading Pagefind's metadata (portal.search._fragments_named): the fragments it names, or None for
anything not of the form Pagefind writes, without a crash or a large allocation."""

from __future__ import annotations

import gzip

import pytest

from portal.search import _cbor, _fragments_named


def meta(index, body: bytes) -> None:
    (index / "pagefind.vi_abc.pf_meta").write_bytes(gzip.compress(b"pagefind_dcd" + body))


def test_the_fragments_of_the_pages_it_lists(tmp_path):
    # ["1.5.2", [["vi_3f96115", 696], ["vi_9514b4a", 383]], [], [], [], []]
    body = bytes([0x86, 0x65]) + b"1.5.2" + bytes([0x82, 0x82, 0x6a]) + b"vi_3f96115" + bytes([0x19, 0x02, 0xb8]) \
        + bytes([0x82, 0x6a]) + b"vi_9514b4a" + bytes([0x19, 0x01, 0x7f]) + bytes([0x80] * 4)
    meta(tmp_path, body)
    assert _fragments_named(tmp_path) == {"vi_3f96115.pf_fragment", "vi_9514b4a.pf_fragment"}


@pytest.mark.parametrize("body", [
    b"",  # nothing after the header
    bytes([0x9f]),  # an array of indefinite length
    bytes([0x9b]) + (2**62).to_bytes(8, "big"),  # an array longer than the file
    bytes([0x7b]) + (2**62).to_bytes(8, "big") + b"x",  # a string longer than the file
    bytes([0x81] * 5000 + [0x00]),  # nested past any sense
    bytes([0x82, 0x61, 0x31, 0x81, 0x82, 0x68]) + b"../../x1" + bytes([0x01]),  # a name that leaves the folder
    bytes([0xfb]) + b"\0" * 8,  # a float
])
def test_anything_else_is_none(tmp_path, body):
    meta(tmp_path, body)
    assert _fragments_named(tmp_path) is None


def test_not_gzip_or_two_metadata_files_is_none(tmp_path):
    (tmp_path / "pagefind.vi_a.pf_meta").write_bytes(b"not gzip")
    assert _fragments_named(tmp_path) is None
    meta(tmp_path, bytes([0x80]))
    assert _fragments_named(tmp_path) is None  # two of them


def test_cbor_maps_and_small_values():
    assert _cbor(bytes([0xa1, 0x61, 0x61, 0xf5]), 0) == ({"a": True}, 4)
    assert _cbor(bytes([0x38, 0x63]), 0) == (-100, 2)
