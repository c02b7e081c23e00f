"""archlint's built-in rules, one module per rule (installed as ``archlint.rules``)."""
