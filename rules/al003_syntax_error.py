from archlint import codes
from archlint.diagnostics import Severity
from archlint.rule import EventRule, Invalid


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
    INVALID = (
        Invalid(
            "from keras import layers\nx = layers.Dense(4)(\n",
            line=2, message="Python cannot parse this file"),
    )
    VALID = ("from keras import layers\nx = layers.Dense(4)\n",)
