"""Shared test set-up. The environment (data dir, simulators) is fixed in
``yilian.settings_test``, which pytest-django loads before any conftest."""
