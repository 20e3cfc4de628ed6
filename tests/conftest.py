"""Test set-up shared by every test: a throwaway data dir and zero-latency simulators."""

import os
import tempfile

# Settings read the environment once, at import: fix it before Django starts.
os.environ.setdefault("YILIAN_DATA_DIR", tempfile.mkdtemp(prefix="yilian-test-"))
os.environ.setdefault("YILIAN_SIM_LATENCY_MS", "0")
os.environ.setdefault("YILIAN_SIM_FAILURE_RATE", "0")
