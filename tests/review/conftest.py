"""The review tests share one generated report (`case.py`), made once for the package."""
from __future__ import annotations

import pytest

from tests.review.case import Case, make_case


@pytest.fixture(scope="package")
def case(tmp_path_factory) -> Case:
    return make_case(tmp_path_factory.mktemp("review"))
