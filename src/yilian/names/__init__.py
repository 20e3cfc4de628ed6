"""Names (名称自主申报): parsing, format rules, the conflict index and reservations."""
