"""The one exception type for bad input (wrong architecture, unknown name, NaN...).

The command line turns it into a one-line message and exit code 2.
"""


class InputError(ValueError):
    """Raised for input the library cannot give a meaningful answer for."""
