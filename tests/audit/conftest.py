"""Audit-trail fixtures: a private data dir (signing key, checkpoint anchor) per test."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _own_data_dir(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    settings.LICENSE_SIGNING_KEY = ""
