"""Admission rules (准入规则): from the application and the catalogues in force to one
decision — refuse, wait for a permit, proceed on a pledge, approve, or review by hand."""
