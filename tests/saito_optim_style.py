"""A style for tests/test_grade_saito_optim.py only: Saito's optimizer classes
(`reference.grade.styles.saito_ch6_optim.FUNCTIONS`), which the saito-ch6 style takes in."""

from reference.grade.base import Style
from reference.grade.styles.saito_ch6_optim import FUNCTIONS

STYLE = Style("saito-ch6-optim-test", "rows", list(FUNCTIONS))
