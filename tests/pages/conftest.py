"""The workbench's staff and applications, for the pages of every desk."""

from tests.workbench.conftest import (  # noqa: F401  (fixtures)
    applicant,
    clerk,
    examiner,
    failed_tax,
    in_review,
    officer,
)
