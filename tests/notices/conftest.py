from tests.workbench.conftest import applicant, clerk, examiner, in_review, officer  # noqa: F401
