"""Demo data for the dashboard pages (only ever loaded by `yilian demo` / `seed-demo`)."""


def seed() -> list[str]:
    """Create what the pages need to show; safe to run again. Returns lines to print."""
    return []
