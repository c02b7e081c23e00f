"""The command line: ``archlint PATH...`` and its subcommands."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from archlint import __version__
from archlint.check import FORMATS, UsageProblem, resolve_settings
from archlint.check import check as run_check
from archlint.graph_command import GRAPH_FORMATS
from archlint.render.terminal import COLOR_CHOICES

# The crosscheck compares builds, it has no findings at source lines for sarif, github or
# concise to carry.
CROSSCHECK_FORMATS = ("text", "json")


class DefaultGroup(click.Group):
    """``archlint model.py`` means ``archlint check model.py``; the top-level help shows
    the check's options next to the commands, as the default command's are the ones a
    new user needs."""

    default_command = "check"

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in ("--help", "-h",
                                                                      "--version"):
            args = [self.default_command, *args]
        return super().parse_args(ctx, args)

    def format_usage(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        formatter.write_usage(ctx.command_path, "[OPTIONS] PATH...")
        formatter.write_usage(ctx.command_path, "COMMAND [ARGS]...", prefix="       ")

    def format_options(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        check_command = self.commands[self.default_command]
        check_ctx = click.Context(check_command, info_name=self.default_command, parent=ctx)
        rows = [record for param in check_command.get_params(check_ctx)
                if param.name != "help" and (record := param.get_help_record(check_ctx))]
        with formatter.section(f"Options (of `{self.default_command}`, the default command)"):
            formatter.write_dl(rows)
        own = [record for param in self.get_params(ctx)
               if (record := param.get_help_record(ctx))]
        with formatter.section("Other options"):
            formatter.write_dl(own)
        self.format_commands(ctx, formatter)


@click.group(cls=DefaultGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="archlint")
def main() -> None:
    """Static architecture analyzer and linter for Keras models.

    Reads model scripts and saved models without running them, computes every layer's
    output shape and parameter count as Keras would, and reports what Keras would refuse
    or get wrong. `archlint PATH...` runs `archlint check PATH...`.

    PATH is a model script (*.py), a Jupyter notebook (*.ipynb), a saved model (*.keras,
    model.to_json() *.json), or a directory searched for them. Run `archlint COMMAND --help`
    for a command's options.
    """


def _bindings(settings: tuple[str, ...]) -> dict[str, int]:
    """``--set NAME=SIZE`` options as a dictionary; a malformed one is a usage error."""
    values = {}
    for setting in settings:
        name, equals, size = setting.rpartition("=")
        name = " ".join(name.split())
        if not equals or not name or not size.strip().isdigit():
            raise click.BadParameter(f"{setting!r} is not NAME=SIZE with SIZE an integer >= 0",
                                     param_hint="'--set'")
        values[name] = int(size)
    return values


def _settings(config_file: str | None, select: tuple[str, ...], ignore: tuple[str, ...]):
    try:
        return resolve_settings(config_file, select, ignore)
    except UsageProblem as error:
        raise click.UsageError(str(error)) from error


@main.command(short_help="Analyse model scripts and saved models (the default command).")
@click.argument("paths", nargs=-1, required=True, metavar="PATH...")
@click.option("--format", "output_format", type=click.Choice(FORMATS), default="text",
              show_default=True, help="Report format.")
@click.option("--select", multiple=True, metavar="CODES",
              help="Rules to apply: codes, prefixes (AL, AL2) or names; replaces the config.")
@click.option("--ignore", multiple=True, metavar="CODES",
              help="Rules to skip: codes, prefixes or names; adds to the config.")
@click.option("--config", "config_file", type=click.Path(dir_okay=False), default=None,
              help="A TOML file with an [tool.archlint] table (default: nearest pyproject.toml).")
@click.option("--output", "output_file", type=click.Path(dir_okay=False, writable=True),
              default=None, help="Write the report to this file instead of standard output.")
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when findings are reported.")
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=1, show_default=True,
              help="Analyse files in this many processes (same output, same order).")
@click.option("--keras", "keras", type=click.Choice(["auto", "3", "2", "both"]), default=None,
              help="The Keras the scripts run under (default: the config's, else auto: what "
                   "each script's imports say).")
@click.option("--set", "settings", multiple=True, metavar="NAME=SIZE",
              help="Bind a named size (a size the data decides, such as args.window or "
                   "len(chars)) to an integer; repeatable, over [tool.archlint.values].")
@click.option("--color", "color", type=click.Choice(COLOR_CHOICES),
              default="auto", show_default=True,
              help="Colour the text report: auto (on a terminal, unless NO_COLOR is set; "
                   "FORCE_COLOR forces it), always or never.")
@click.option("--expand-nested", is_flag=True,
              help="In the text report, list the layers of a model called as a layer under "
                   "its row (as Keras's summary(expand_nested=True)).")
@click.option("--batch-size", "batch_size", type=click.IntRange(min=1), default=None,
              help="The batch size of the training memory estimate (default: the config's "
                   "batch-size, else the script's fit(batch_size=...), else symbolic B).")
def check(paths: tuple[str, ...], output_format: str, select: tuple[str, ...],
          ignore: tuple[str, ...], config_file: str | None, output_file: str | None,
          exit_zero: bool, jobs: int, keras: str | None, settings: tuple[str, ...],
          expand_nested: bool, color: str, batch_size: int | None) -> None:
    """Analyse model scripts, notebooks and saved models: files, or directories searched for
    *.py, *.ipynb, *.keras and model *.json files."""
    try:
        code = run_check(paths, output_format, select, ignore, config_file, output_file,
                         exit_zero, jobs, keras, _bindings(settings), expand_nested, color,
                         batch_size)
    except UsageProblem as error:
        raise click.UsageError(str(error)) from error
    sys.exit(code)


@main.command(name="rules", short_help="List every rule and whether it is enabled.")
@click.option("--config", "config_file", type=click.Path(dir_okay=False), default=None)
def list_rules(config_file: str | None) -> None:
    """List every rule: code, name, severity, source, and whether it is enabled."""
    from archlint.plugins import load_rules

    loaded, _ = load_rules()
    config, settings = _settings(config_file, (), ())
    enabled = {rule.code for rule in settings.rules}
    rows = [("code", "name", "severity", "source", "enabled")]
    for entry in loaded:
        cls = entry.rule_class
        level = config.severity.get(cls.code, cls.severity)
        rows.append((cls.code, cls.name, level.value, entry.source,
                     "yes" if cls.code in enabled else "no"))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for row in rows:
        click.echo("  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip())


@main.command(name="layers", short_help="List the layer classes and their formulas' options.")
def list_layers() -> None:
    """List the Keras layer classes archlint has shape and parameter formulas for, with the
    options the formulas read, then the classes that cannot have one, with the reason."""
    from archlint.layers import all_specs
    from archlint.layers.catalog import NO_FORMULA, formula_options

    for spec in all_specs():
        aliases = f"  (also {', '.join(spec.aliases)})" if spec.aliases else ""
        only = "  [Keras 3 only]" if spec.keras3_class else \
            "  [tf-keras only]" if spec.tf_keras_class else ""
        if spec.application_module:
            only += f"  [in keras.{spec.application_module}, not keras.layers]"
        options = ", ".join(formula_options(spec)) or "none"
        click.echo(f"{spec.class_name}{aliases}{only}  options: {options}")
    for entry in NO_FORMULA:
        where = "" if len(entry.versions) > 1 else \
            "  [Keras 3 only]" if entry.versions == ("3",) else "  [tf-keras only]"
        click.echo(f"{entry.class_name}{where}  no formula: {entry.reason}")


@main.command(short_help="Print a rule's documentation and examples.")
@click.argument("code")
def explain(code: str) -> None:
    """Print a rule's documentation and examples (by code or name)."""
    from archlint.docs import rule_blocks
    from archlint.plugins import load_rules
    from archlint.render import explain as explain_renderer

    loaded, _ = load_rules()
    for entry in loaded:
        cls = entry.rule_class
        if code.upper() == cls.code or code == cls.name:
            explain_renderer.render(rule_blocks(cls, entry.source))
            return
    raise click.UsageError(f"no rule {code!r}; `archlint rules` lists them")


@main.command(short_help="Draw a file's layer graph: Mermaid, DOT or SVG.")
@click.argument("path", metavar="PATH")
@click.option("--format", "output_format", type=click.Choice(GRAPH_FORMATS),
              default="mermaid", show_default=True,
              help="mermaid (GitHub renders it in Markdown), dot (Graphviz), or svg (runs "
                   "Graphviz's dot program).")
@click.option("--model", "model_name", default=None, metavar="NAME",
              help="Draw only the model of this name (default: every model in the file).")
@click.option("--expand-nested", is_flag=True,
              help="Draw the layers of a model called as a layer, or of a user-defined "
                   "layer, in a subgraph of their own instead of as one node.")
@click.option("--output", "-o", "output_file", type=click.Path(dir_okay=False), default=None,
              help="Write the graph to this file instead of standard output.")
@click.option("--config", "config_file", type=click.Path(dir_okay=False), default=None,
              help="A TOML file with an [tool.archlint] table (default: nearest pyproject.toml).")
@click.option("--keras", "keras", type=click.Choice(["auto", "3", "2", "both"]), default=None,
              help="The Keras the script runs under (default: the config's, else auto).")
@click.option("--set", "settings", multiple=True, metavar="NAME=SIZE",
              help="Bind a named size to an integer; repeatable.")
def graph(path: str, output_format: str, model_name: str | None, expand_nested: bool,
          output_file: str | None, config_file: str | None, keras: str | None,
          settings: tuple[str, ...]) -> None:
    """Draw the layer graph of the models in PATH (a script or a saved model): a node per
    layer with its parameter count, the shape of each tensor on its edge, and the codes of
    the findings on the layers they concern. A shared layer is one node, as
    keras.utils.plot_model draws it, with an edge for each tensor of each call."""
    from archlint.graph_command import InputProblem, draw

    try:
        draw(path, output_format, model_name, expand_nested, output_file, config_file, keras,
             _bindings(settings))
    except UsageProblem as error:
        raise click.UsageError(str(error)) from error
    except InputProblem as error:
        click.echo(f"archlint graph: {error}", err=True)
        sys.exit(2)


@main.command(short_help="Run the language server (for editors; needs archlint[lsp]).")
@click.option("--debounce", type=click.IntRange(min=0), default=300, show_default=True,
              metavar="MS", help="Wait this long after the last keystroke before analysing "
                                 "(the client's initializationOptions.debounce overrides it).")
def server(debounce: int) -> None:
    """Serve the Language Server Protocol over standard input and output: diagnostics as
    you type, each layer's output shape and parameter count as inlay hints, its summary row
    on hover."""
    from archlint.server import pygls_missing

    problem = pygls_missing()
    if problem is not None:
        click.echo(f"archlint: {problem}", err=True)
        sys.exit(2)
    from archlint.server.lsp import serve

    serve(debounce)


@main.command(short_help="Compare with real Keras builds of the same models.")
@click.argument("paths", nargs=-1, required=True, metavar="PATH...")
@click.option("--keras", "keras", type=click.Choice(["3", "2", "both"]), default="both",
              show_default=True, help="Which Keras to build with: 3 (tensorflow), 2 (tf-keras).")
@click.option("--format", "output_format", type=click.Choice(CROSSCHECK_FORMATS),
              default="text", show_default=True,
              help="Report format: a table per model, or JSON for CI.")
def crosscheck(paths: tuple[str, ...], keras: str, output_format: str) -> None:
    """Build the models archlint finds with real Keras and compare, layer by layer."""
    from rich.console import Console

    from archlint.analysis import analyse_file
    from archlint.crosscheck import KerasMissing
    from archlint.crosscheck import crosscheck as run_crosscheck
    from archlint.files import collect
    from archlint.render import crosscheck_report

    missing = [p for p in paths if not Path(p).exists()]
    if missing:
        raise click.UsageError(f"no such file or directory: {', '.join(missing)}")
    reports = [analyse_file(path) for path in collect(list(paths))]
    versions = ["3", "2"] if keras == "both" else [keras]
    console = Console(highlight=False, stderr=True)
    status = console.status("")
    status.start() if console.is_terminal else None

    def on_start(version: str, count: int) -> None:
        package = "tensorflow (Keras 3)" if version == "3" else "tf-keras (Keras 2)"
        status.update(f"Importing {package} and building {count} model(s)...")

    try:
        verdicts = run_crosscheck(reports, versions, on_start)
    except KerasMissing as error:
        status.stop()
        click.echo(f"archlint crosscheck needs {error}; install it with: "
                   f"pip install {error}", err=True)
        sys.exit(2)
    finally:
        status.stop()
    if output_format == "json":
        sys.stdout.write(crosscheck_report.to_json(verdicts))
    else:
        out = Console(highlight=False)
        if not out.is_terminal:
            out = Console(highlight=False, width=160)
        crosscheck_report.render_text(verdicts, out)
    sys.exit(0 if all(v.archlint_agrees for v in verdicts) else 1)

