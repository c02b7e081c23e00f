from archlint import codes
from archlint.diagnostics import Severity
from archlint.rule import EventRule


class SyntaxErrorRule(EventRule):
    """What it does: reports a file that Python cannot parse.

    Why it matters: nothing in the file can be analysed; other files still are.

    Example: ``x = Dense(4)(``.

    Use instead: fix the syntax error Python reports at that line.
    """

    code = codes.SYNTAX_ERROR
    name = "syntax-error"
    severity = Severity.ERROR
    summary = "The file is not valid Python"
    INVALID = ("from keras import layers\nx = layers.Dense(4)(\n",)
    VALID = ("from keras import layers\nx = layers.Dense(4)\n",)
