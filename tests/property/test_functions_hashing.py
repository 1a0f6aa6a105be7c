"""Laws of the hashing built-ins."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from kuiper_dev.functions import BUILTINS

LENGTHS = {"md5": 32, "sha1": 40, "sha256": 64, "sha384": 96, "sha512": 128}


@given(st.text(max_size=50), st.sampled_from(sorted(LENGTHS)))
def test_digest_is_lowercase_hex_of_fixed_length(s: str, name: str) -> None:
    digest = BUILTINS[name].fn(s)
    assert len(digest) == LENGTHS[name] and re.fullmatch("[0-9a-f]+", digest)


@given(st.text(max_size=50))
def test_crc32_has_no_leading_zero(s: str) -> None:
    digest = BUILTINS["crc32"].fn(s)
    assert digest == "0" or (len(digest) <= 8 and not digest.startswith("0"))
