"""One renderer module per output format; each takes the file reports and writes text."""
