"""Configuration: ``[tool.archlint]`` in the nearest pyproject.toml (or ``--config FILE``),
merged with command-line options. Unknown keys and bad values are errors, never ignored.

    [tool.archlint]
    select = ["AL"]            # codes, code prefixes (AL2) or rule names; default: all
    ignore = ["AL401"]
    fail-on = "warning"        # exit 1 at this severity or above: error, warning, info
    exclude = ["legacy/*"]     # glob patterns for directory walks

    batch-size = 64            # the batch the training memory estimate uses
    memory-budget = "16GiB"    # memory-budget (AL403) flags a training estimate above it

    [tool.archlint.severity]
    AL303 = "warning"

    [tool.archlint.rules.too-few-timesteps]
    min-timesteps = 4
"""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Any

from archlint.analysis import Settings
from archlint.diagnostics import Severity
from archlint.files import open_regular
from archlint.plugins import LoadedRule, PluginError, load_rules
from archlint.records import field, record
from archlint.suppressions import selects

# Where a [tool.archlint] table can come from: its header, a [tool] table, or a top-level
# `tool = {...}` / `tool.archlint... =` key. Other files are not parsed at all.
ARCHLINT_KEY = re.compile(
    r"""^\s*(\[\s*["']?tool["']?\s*(\]|\.\s*["']?archlint)|["']?tool["']?\s*(=|\.))""",
    re.MULTILINE)
KNOWN_KEYS = frozenset({"select", "ignore", "fail-on", "severity", "rules", "exclude",
                        "keras", "values", "batch-size", "memory-budget"})
SIZE_UNITS = {"": 1, "B": 1, "KB": 10**3, "MB": 10**6, "GB": 10**9, "TB": 10**12,
              "KIB": 2**10, "MIB": 2**20, "GIB": 2**30, "TIB": 2**40}
SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([A-Za-z]*)\s*$")
KERAS_TARGETS = ("auto", "3", "2", "both")


class ConfigError(Exception):
    """A configuration archlint refuses to guess about (exit code 2)."""


@record
class Config:
    select: list[str] | None = None  # None: every rule, plugins included
    ignore: list[str] = field(default_factory=list)
    fail_on: Severity = Severity.WARNING
    severity: dict[str, Severity] = field(default_factory=dict)
    rule_options: dict[str, dict[str, Any]] = field(default_factory=dict)
    exclude: list[str] = field(default_factory=list)
    # The Keras the scripts run under; "auto": what each script's imports say.
    keras: str = "auto"
    # Values bound to named sizes ([tool.archlint.values]): name -> size.
    values: dict[str, int] = field(default_factory=dict)
    # The training batch size and the memory budget in bytes (None: not set).
    batch_size: int | None = None
    memory_budget: int | None = None
    path: Path | None = None


def find_pyproject(start: Path) -> Path | None:
    """The nearest pyproject.toml with a [tool.archlint] table, from ``start`` upwards."""
    directory = start if start.is_dir() else start.parent
    for candidate in (directory, *directory.parents):
        path = candidate / "pyproject.toml"
        if not path.is_file():
            continue
        try:
            with open_regular(path) as handle:
                data = handle.read()
        except OSError:
            continue
        if not ARCHLINT_KEY.search(data.decode("utf-8", errors="replace")):
            continue  # cannot hold our table: no need to parse it (or to judge its TOML)
        # It may hold our table: refusing invalid TOML beats silently ignoring the settings.
        if _archlint_table(_parse_toml(_decode_toml(data, path), path), path) is not None:
            return path
    return None


def _decode_toml(data: bytes, path: Path) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise ConfigError(f"{path} is not valid UTF-8 (byte 0x{data[error.start]:02x} on line "
                          f"{line}); a TOML file must be UTF-8") from None


def _parse_toml(text: str, path: Path) -> dict[str, Any]:
    import tomllib  # only when a file may hold settings: the import is a few milliseconds

    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path} is not valid TOML: {error}") from error
    except RecursionError:
        raise ConfigError(f"{path} is not valid TOML: it is nested too deeply") from None


def _archlint_table(data: dict[str, Any], path: Path) -> dict[str, Any] | None:
    """``[tool.archlint]`` of a parsed pyproject.toml, None when there is none."""
    tool = data.get("tool")
    if tool is None:
        return None
    if not isinstance(tool, dict):
        raise ConfigError(f"{path}: `tool` must be a table (such as [tool.archlint]), got "
                          f"{_shown(tool)}")
    table = tool.get("archlint")
    if table is not None and not isinstance(table, dict):
        raise ConfigError(f"{path}: `tool.archlint` must be a table ([tool.archlint]), got "
                          f"{_shown(table)}")
    return table


def _shown(value: Any) -> str:
    """A configured value in a message, cut short.

    >>> _shown(5), _shown(list(range(40)))
    ('5', '[0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 2 ...')
    """
    text = repr(value)
    return text if len(text) <= 80 else text[:76] + " ..."


def read_table(path: Path) -> dict[str, Any]:
    """The archlint table of a pyproject.toml, or the whole of a dedicated config file."""
    try:
        with open_regular(path) as handle:
            data = handle.read()
    except FileNotFoundError as error:
        raise ConfigError(f"config file not found: {path}") from error
    except OSError as error:
        raise ConfigError(f"cannot read config file {path}: {error.strerror or error}") \
            from error
    parsed = _parse_toml(_decode_toml(data, path), path)
    if "tool" in parsed:
        return _archlint_table(parsed, path) or {}
    table = parsed.get("archlint", parsed)
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: `archlint` must be a table ([archlint]), got "
                          f"{_shown(table)}")
    return table


def _string_list(value: Any, key: str, path: Path) -> list[str]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{path}: `{key}` must be a list of strings, got {_shown(value)}")
    if any(not v.strip() for v in value):
        raise ConfigError(f"{path}: `{key}` holds an empty string, which names nothing")
    return [v.strip() for v in value]


def _severity(value: Any, what: str, path: Path | str) -> Severity:
    try:
        return Severity(value)
    except ValueError as error:
        choices = ", ".join(s.value for s in Severity)
        raise ConfigError(f"{path}: {what} must be one of {choices}, got "
                          f"{_shown(value)}") from error


def matches(rule: type, selector: str) -> bool:
    """A selector names a rule by code prefix (``AL``, ``AL2``, ``AL203``) or by name."""
    return selects(selector, rule.code, rule.name)  # type: ignore[attr-defined]


def check_selectors(selectors: list[str], rules: list[LoadedRule], where: str) -> None:
    for selector in selectors:
        if not selector.strip():
            raise ConfigError(f"{where}: an empty selector names no rule")
        if not any(matches(r.rule_class, selector) for r in rules):
            raise ConfigError(f"{where}: `{selector}` matches no rule code or name "
                              "(see `archlint rules`)")


def load_config(table: dict[str, Any], path: Path, rules: list[LoadedRule]) -> Config:
    unknown = set(table) - KNOWN_KEYS
    if unknown:
        raise ConfigError(f"{path}: unknown key(s) in [tool.archlint]: "
                          f"{', '.join(sorted(unknown))}; known keys are "
                          f"{', '.join(sorted(KNOWN_KEYS))}")
    config = Config(path=path)
    if "select" in table:
        config.select = _string_list(table["select"], "select", path)
        if not config.select:
            raise ConfigError(f"{path}: `select` is empty, which would apply no rule; remove "
                              "it to apply every rule")
        check_selectors(config.select, rules, str(path))
    if "ignore" in table:
        config.ignore = _string_list(table["ignore"], "ignore", path)
        check_selectors(config.ignore, rules, str(path))
    if "exclude" in table:
        config.exclude = _string_list(table["exclude"], "exclude", path)
    if "fail-on" in table:
        config.fail_on = _severity(table["fail-on"], "`fail-on`", path)
    if "keras" in table:
        if table["keras"] not in KERAS_TARGETS:
            raise ConfigError(f"{path}: `keras` must be one of "
                              f"{', '.join(map(repr, KERAS_TARGETS))}, got "
                              f"{_shown(table['keras'])}")
        config.keras = table["keras"]
    if "values" in table:
        config.values = named_values(table["values"], f"{path}: [tool.archlint.values]")
    if "batch-size" in table:
        value = table["batch-size"]
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ConfigError(f"{path}: `batch-size` must be an integer >= 1, got "
                              f"{_shown(value)}")
        config.batch_size = value
    if "memory-budget" in table:
        config.memory_budget = byte_size(table["memory-budget"], f"{path}: `memory-budget`")
    by_key = {r.rule_class.code: r.rule_class for r in rules}
    by_key.update({r.rule_class.name: r.rule_class for r in rules})
    severities = table.get("severity", {})
    if not isinstance(severities, dict):
        raise ConfigError(f"{path}: [tool.archlint.severity] must be a table")
    for key, value in severities.items():
        if key not in by_key:
            raise ConfigError(f"{path}: [tool.archlint.severity] names unknown rule `{key}`")
        config.severity[by_key[key].code] = _severity(value, f"severity of {key}", path)
    options = table.get("rules", {})
    if not isinstance(options, dict):
        raise ConfigError(f"{path}: [tool.archlint.rules] must be a table of rule tables")
    for key, values in options.items():
        rule = by_key.get(key)
        if rule is None:
            raise ConfigError(f"{path}: [tool.archlint.rules.{key}] names unknown rule `{key}`")
        if not isinstance(values, dict):
            raise ConfigError(f"{path}: [tool.archlint.rules.{key}] must be a table")
        for option, value in values.items():
            if option not in rule.options:
                known = ", ".join(sorted(rule.options)) or "none"
                raise ConfigError(f"{path}: rule {rule.name} has no option `{option}` "
                                  f"(its options: {known})")
            default = rule.options[option]
            if not _option_type_ok(default, value):
                numeric = default is None or type(default) in (int, float)
                expected = "a finite number" if numeric else type(default).__name__
                raise ConfigError(f"{path}: option `{option}` of {rule.name} must be "
                                  f"{expected}, got {_shown(value)}")
        config.rule_options[rule.code] = dict(values)
    return config


def named_values(table: Any, where: str) -> dict[str, int]:
    """Values bound to named sizes: each a size, an integer >= 0."""
    if not isinstance(table, dict):
        raise ConfigError(f"{where} must be a table of named sizes and integers")
    values = {}
    for name, value in table.items():
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ConfigError(f"{where}: `{name}` must be a size (an integer >= 0), got "
                              f"{_shown(value)}")
        values[" ".join(str(name).split())] = value
    return values


def byte_size(value: Any, where: str) -> int:
    """A size in bytes: an integer, or a string with a unit (``"16GiB"``, ``"512 MB"``).

    >>> byte_size("16GiB", "x"), byte_size("1.5 kB", "x"), byte_size(1000, "x")
    (17179869184, 1500, 1000)
    """
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return value
    found = SIZE.match(value) if isinstance(value, str) else None
    unit = found.group(2).upper() if found else ""
    if found is None or unit not in SIZE_UNITS or float(found.group(1)) <= 0:
        raise ConfigError(f"{where} must be a size in bytes, such as 16GiB, 512MB or "
                          f"1000000, got {_shown(value)}")
    return int(float(found.group(1)) * SIZE_UNITS[unit])


def _option_type_ok(default: Any, value: Any) -> bool:
    """Options keep the type of their default; a None default takes a number."""
    if isinstance(default, bool) or isinstance(value, bool):
        return isinstance(default, bool) and isinstance(value, bool)
    if default is None or isinstance(default, (int, float)):
        return isinstance(value, (int, float)) and math.isfinite(value)  # no nan or inf
    return isinstance(value, type(default))


def resolve(config_file: str | None, cwd: Path, select: list[str], ignore: list[str],
            ) -> tuple[Config, Settings, list[PluginError]]:
    """Configuration file plus command-line selection: the rules a run applies.

    ``--select`` replaces the configured selection; ``--ignore`` adds to the ignored ones.
    """
    loaded, plugin_errors = load_rules()
    path = Path(config_file) if config_file else find_pyproject(cwd)
    config = load_config(read_table(path), path, loaded) if path else Config()
    if select:
        check_selectors(select, loaded, "--select")
        config.select = select
    if ignore:
        check_selectors(ignore, loaded, "--ignore")
        config.ignore = [*config.ignore, *ignore]
    rules = []
    for entry in loaded:
        cls = entry.rule_class
        selected = config.select is None or any(matches(cls, s) for s in config.select)
        if selected and \
                not any(matches(cls, s) for s in config.ignore):
            try:
                rules.append(cls(**config.rule_options.get(cls.code, {})))
            except ValueError as error:
                raise ConfigError(str(error)) from error
    catalog = {entry.rule_class.code: entry.rule_class.name for entry in loaded}
    return config, Settings(rules, dict(config.severity), catalog, config.keras,
                            dict(config.values), config.batch_size,
                            config.memory_budget), plugin_errors
