from archlint import codes
from archlint.diagnostics import Severity
from archlint.rule import EventRule


class RuleCrashed(EventRule):
    """What it does: reports a rule (usually a third-party plugin) that raised an exception
    while checking this file.

    Why it matters: that rule's findings for the file are missing; every other rule still ran.

    Example: a plugin rule that indexes a shape without checking its rank.

    Use instead: report the message to the plugin's authors; ``--ignore`` its code meanwhile.
    """

    code = codes.RULE_CRASHED
    name = "rule-crashed"
    severity = Severity.ERROR
    summary = "A rule raised an exception while checking the file"
    # Crashes cannot be written as model scripts; tests/test_plugins.py covers this rule.
    VALID = ("from keras import layers, Input, Model\nx = Input(shape=(8,))\n"
             "model = Model(x, layers.Dense(4)(x))\n",)
