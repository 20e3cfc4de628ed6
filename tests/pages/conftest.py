from tests.workbench.conftest import (  # noqa: F401  (fixtures)
    applicant, clerk, examiner, failed_tax, in_review, officer)
