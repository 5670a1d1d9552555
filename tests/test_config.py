"""Where the project's files are: configured, with the checkout as the default."""
from __future__ import annotations

from extractor import config
from tests.helpers import ROOT


def test_defaults_are_the_checkout():
    assert config.checkout() == ROOT
    assert config.models_dir() == ROOT / "models"
    assert config.annotations_dir() == ROOT / "annotations"
    assert config.samples_dir() == ROOT / "samples"


def test_environment_wins(monkeypatch, tmp_path):
    monkeypatch.setenv("EXTRACTOR_MODELS", str(tmp_path / "m"))
    monkeypatch.setenv("EXTRACTOR_ANNOTATIONS", str(tmp_path / "a"))
    assert config.models_dir() == tmp_path / "m"
    assert config.annotations_dir() == tmp_path / "a"
