"""``archlint server`` end to end: a test client (pytest-lsp) starts the server as an editor
does, opens buffers, edits them, and reads what comes back.

Every shape and count the server shows is compared with what ``archlint --format json``
reports for the same text from disk (itself checked against real Keras in
tests/test_seed_model.py): the editor and the check are one analysis.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "examples" / "seed_model.py"
PUBLISH = types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS
ENV = {**os.environ, "PYTHONPATH": os.pathsep.join(
    [str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])])}

pytestmark = pytest.mark.asyncio(loop_scope="module")


def capabilities() -> types.ClientCapabilities:
    """Neovim 0.11's, with positions in UTF-16 code units (as VS Code counts them)."""
    found = client_capabilities("neovim@v0.11.0")
    found.general.position_encodings = [types.PositionEncodingKind.Utf16]
    return found


async def start(client: LanguageClient) -> list[None]:
    """Initialise with a short debounce; counts the server's inlay hint refreshes."""
    refreshes: list[None] = []

    @client.feature(types.WORKSPACE_INLAY_HINT_REFRESH)
    def refresh(params: None) -> None:
        refreshes.append(params)

    await client.initialize_session(types.InitializeParams(
        capabilities=capabilities(), initialization_options={"debounce": 20}))
    return refreshes


@pytest_lsp.fixture(scope="module", config=ClientServerConfig(
    server_command=[sys.executable, "-m", "archlint", "server"], server_env=ENV))
async def client(lsp_client: LanguageClient):
    lsp_client.refreshes = await start(lsp_client)  # type: ignore[attr-defined]
    yield
    await lsp_client.shutdown_session()


@pytest_lsp.fixture(scope="module", config=ClientServerConfig(
    server_command=[sys.executable, str(ROOT / "tests" / "crashing_lsp_server.py")],
    server_env=ENV))
async def crashing_client(lsp_client: LanguageClient):
    await start(lsp_client)
    yield
    await lsp_client.shutdown_session()


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("buffers")


def check_json(path: Path) -> dict[str, Any]:
    """``archlint --format json`` on a file: what the check reports."""
    done = subprocess.run([sys.executable, "-m", "archlint", "--format", "json", str(path)],
                          capture_output=True, text=True, env=ENV, check=False)
    assert done.returncode in (0, 1), done.stderr
    (report,) = json.loads(done.stdout)["files"]
    return report


def label(layer: dict[str, Any]) -> str:
    dims = ", ".join("None" if d is None else str(d) for d in layer["output_shape"])
    return f"→ ({dims}) · {layer['params']:,} params"


async def open_buffer(client: LanguageClient, path: Path, text: str) -> list[types.Diagnostic]:
    uri = path.as_uri()
    before = client.diagnostics.get(uri)
    client.text_document_did_open(types.DidOpenTextDocumentParams(
        types.TextDocumentItem(uri, "python", 1, text)))
    return await next_diagnostics(client, uri, before)


async def next_diagnostics(client: LanguageClient, uri: str, before: object
                           ) -> list[types.Diagnostic]:
    """The diagnostics published for ``uri`` after ``before`` (the client keeps the last
    ones by document; several documents may publish at once, so they are polled)."""
    for _ in range(2000):
        found = client.diagnostics.get(uri)
        if found is not None and found is not before:
            return list(found)
        await asyncio.sleep(0.01)
    raise AssertionError(f"nothing published for {uri} in 20 s")


async def hints(client: LanguageClient, path: Path, lines: int = 200) -> list[types.InlayHint]:
    found = await client.text_document_inlay_hint_async(types.InlayHintParams(
        types.TextDocumentIdentifier(path.as_uri()),
        types.Range(types.Position(0, 0), types.Position(lines, 0))))
    return list(found or [])


def replace_line(path: Path, version: int, line: int, old: str, new: str
                 ) -> types.DidChangeTextDocumentParams:
    """An incremental edit, as an editor sends it: one line's text replaced."""
    change = types.TextDocumentContentChangePartial(
        types.Range(types.Position(line, 0), types.Position(line, len(old))), new)
    return types.DidChangeTextDocumentParams(
        types.VersionedTextDocumentIdentifier(version, path.as_uri()), [change])


async def test_open_publishes_the_checks_diagnostics(client: LanguageClient,
                                                     folder: Path) -> None:
    path = folder / "seed_open.py"
    path.write_text(SEED.read_text())
    published = await open_buffer(client, path, SEED.read_text())
    expected = check_json(path)["diagnostics"]
    assert [(d.code, d.range.start.line, d.range.start.character, d.range.end.line,
             d.range.end.character, d.message) for d in published] == \
        [(e["code"], e["line"] - 1, e["column"], e["end_line"] - 1, e["end_column"],
          e["message"]) for e in expected]
    severities = {"error": types.DiagnosticSeverity.Error,
                  "warning": types.DiagnosticSeverity.Warning,
                  "info": types.DiagnosticSeverity.Information}
    assert [d.severity for d in published] == [severities[e["severity"]] for e in expected]
    assert all(d.source == "archlint" and d.code_description is not None
               and d.code_description.href.endswith(f"#{str(d.code).lower()}")
               for d in published)


async def test_inlay_hints_show_each_layers_shape_and_params(client: LanguageClient,
                                                             folder: Path) -> None:
    path = folder / "seed_hints.py"
    text = SEED.read_text()
    path.write_text(text)
    await open_buffer(client, path, text)
    found = await hints(client, path)
    (model,) = check_json(path)["models"]
    assert [hint.label for hint in found] == [label(layer) for layer in model["layers"]]
    lines = text.split("\n")
    for hint in found:  # at the end of the line
        assert hint.position.character == len(lines[hint.position.line])
    # The two-line Bidirectional call: its hint is on the line where the call ends, the
    # line after the one it starts on (1-based in the report, 0-based in the protocol).
    bidirectional = model["layers"][3]
    assert found[3].position.line == (bidirectional["line"] + 1) - 1
    # A range asks for the hints of those lines only.
    assert [h.label for h in await hints(client, path, lines=25)] == \
        [label(layer) for layer in model["layers"][:2]]


async def test_an_edit_changes_hints_and_diagnostics(client: LanguageClient,
                                                     folder: Path) -> None:
    path = folder / "seed_edit.py"
    text = SEED.read_text()
    path.write_text(text)
    before = await open_buffer(client, path, text)
    before_hints = await hints(client, path)
    assert "AL303" in {d.code for d in before}
    old = 'ol = Dense(1, activation="relu", name="output")(hl)'
    new = 'ol = Dense(3, activation="linear", name="output")(hl)'
    line = text.split("\n").index(old)
    refreshes = len(client.refreshes)  # type: ignore[attr-defined]
    shown = client.diagnostics[path.as_uri()]
    client.text_document_did_change(replace_line(path, 2, line, old, new))
    # Asked at once, the hints are those of the edited buffer (not of the file on disk).
    edited = await hints(client, path)
    after = await next_diagnostics(client, path.as_uri(), shown)
    path.write_text(text.replace(old, new))
    expected = check_json(path)
    (model,) = expected["models"]
    assert [hint.label for hint in edited] == [label(layer) for layer in model["layers"]]
    assert edited[-1].label != before_hints[-1].label
    assert edited[:-1] == before_hints[:-1]
    assert [d.code for d in after] == [e["code"] for e in expected["diagnostics"]]
    assert "AL303" not in {d.code for d in after}
    # Once the new diagnostics are out, the server asks the editor to fetch hints again.
    for _ in range(100):
        if len(client.refreshes) > refreshes:  # type: ignore[attr-defined]
            break
        await asyncio.sleep(0.02)
    assert len(client.refreshes) > refreshes  # type: ignore[attr-defined]


async def test_a_burst_of_edits_is_analysed_once_at_the_end(client: LanguageClient,
                                                            folder: Path) -> None:
    path = folder / "seed_burst.py"
    text = SEED.read_text()
    await open_buffer(client, path, text)
    old = 'ol = Dense(1, activation="relu", name="output")(hl)'
    line = text.split("\n").index(old)
    typed = ""
    for version, character in enumerate(" # ok", start=2):  # typed faster than the debounce
        client.text_document_did_change(replace_line(path, version, line, old + typed,
                                                     old + typed + character))
        typed += character
    while True:
        params = await asyncio.wait_for(client.wait_for_notification(PUBLISH), 20)
        if params.uri == path.as_uri():
            break
    assert params.version == 1 + len(" # ok")  # the first publication is of the last text


async def test_hover_shows_the_summary_row_and_codes(client: LanguageClient,
                                                     folder: Path) -> None:
    path = folder / "seed_hover.py"
    text = SEED.read_text()
    path.write_text(text)
    await open_buffer(client, path, text)
    line = text.split("\n").index("hl = MaxPool1D(pool_size=2)(hl)")
    hover = await client.text_document_hover_async(types.HoverParams(
        types.TextDocumentIdentifier(path.as_uri()), types.Position(line, 2)))
    (model,) = check_json(path)["models"]
    pool = next(layer for layer in model["layers"] if layer["line"] == line + 1)
    assert hover is not None and isinstance(hover.contents, types.MarkupContent)
    assert hover.contents.kind == types.MarkupKind.Markdown
    row = hover.contents.value.splitlines()[-1]
    dims = ", ".join("None" if d is None else str(d) for d in pool["output_shape"])
    assert row == f"| `{pool['name']} ({pool['class']})` | `({dims})` | {pool['params']:,} | " \
                  "AL103 |"
    assert hover.range is not None and hover.range.start.line == line
    # No layer on the line: no hover.
    assert await client.text_document_hover_async(types.HoverParams(
        types.TextDocumentIdentifier(path.as_uri()), types.Position(0, 0))) is None


async def test_a_syntax_error_is_a_diagnostic(client: LanguageClient, folder: Path) -> None:
    path = folder / "broken.py"
    text = "import keras\nx = keras.Input(shape=(4,)\ny = keras.layers.Dense(2)(x\n"
    (diagnostic,) = await open_buffer(client, path, text)
    assert diagnostic.code == "AL003"
    assert diagnostic.severity == types.DiagnosticSeverity.Error
    assert await hints(client, path) == []
    # The server is still there for the next buffer.
    fixed = "import keras\nx = keras.Input(shape=(4,))\ny = keras.layers.Dense(2)(x)\n"
    shown = client.diagnostics[path.as_uri()]
    client.text_document_did_change(types.DidChangeTextDocumentParams(
        types.VersionedTextDocumentIdentifier(2, path.as_uri()),
        [types.TextDocumentContentChangeWholeDocument(fixed)]))
    assert await next_diagnostics(client, path.as_uri(), shown) == []
    assert len(await hints(client, path)) == 2


async def test_columns_count_utf16_units(client: LanguageClient, folder: Path) -> None:
    """ast gives byte offsets; the client counts UTF-16 code units."""
    path = folder / "unicode.py"
    text = ('import keras\nx = keras.Input(shape=(4,))\n'
            's = "é😋"; y = keras.layers.Dense(2)(x); z = keras.layers.Conv1D(2, 3)(y)\n')
    path.write_text(text)
    (refused,) = await open_buffer(client, path, text)
    assert refused.code == "AL104"
    line = text.split("\n")[2]
    start = line.index("keras.layers.Conv1D")
    assert refused.range.start.character == len(line[:start].encode("utf-16-le")) // 2
    (hint,) = [h for h in await hints(client, path) if h.position.line == 2]
    assert hint.position.character == len(line.encode("utf-16-le")) // 2
    # Two calls on one line, joined; the refused one says why.
    assert str(hint.label).startswith("→ (None, 2) · ") and str(hint.label).endswith(
        "; ✗ AL104")


async def test_configuration_is_found_from_the_documents_path(client: LanguageClient,
                                                              folder: Path) -> None:
    project = folder / "project"
    (project / "models").mkdir(parents=True)
    (project / "pyproject.toml").write_text('[tool.archlint]\nignore = ["AL303"]\n')
    # The buffer was never saved: only its folder exists.
    script = project / "models" / "new.py"
    codes = {d.code for d in await open_buffer(client, script, SEED.read_text())}
    assert "AL303" not in codes and "AL204" in codes
    # The configuration saved in the editor: the open scripts are analysed again.
    (project / "pyproject.toml").write_text('[tool.archlint]\nignore = ["AL204", "AL401"]\n')
    shown = client.diagnostics[script.as_uri()]
    client.text_document_did_save(types.DidSaveTextDocumentParams(
        types.TextDocumentIdentifier((project / "pyproject.toml").as_uri())))
    codes = {d.code for d in await next_diagnostics(client, script.as_uri(), shown)}
    assert "AL303" in codes and not codes & {"AL204", "AL401"}
    broken = folder / "broken_config"
    broken.mkdir()
    (broken / "pyproject.toml").write_text('[tool.archlint]\nfail-on = "sometimes"\n')
    (problem,) = await open_buffer(client, broken / "model.py", SEED.read_text())
    assert problem.severity == types.DiagnosticSeverity.Error
    assert problem.message.startswith("archlint configuration:")


async def test_closing_clears_the_diagnostics(client: LanguageClient, folder: Path) -> None:
    path = folder / "closed.py"
    assert await open_buffer(client, path, SEED.read_text())
    shown = client.diagnostics[path.as_uri()]
    client.text_document_did_close(types.DidCloseTextDocumentParams(
        types.TextDocumentIdentifier(path.as_uri())))
    assert await next_diagnostics(client, path.as_uri(), shown) == []


async def test_a_crash_in_the_analysis_is_logged_and_publishes_nothing(
        crashing_client: LanguageClient, folder: Path) -> None:
    path = folder / "crash.py"
    text = SEED.read_text()
    first = await open_buffer(crashing_client, path, text)
    assert first
    shown = crashing_client.diagnostics[path.as_uri()]
    crashing_client.text_document_did_change(types.DidChangeTextDocumentParams(
        types.VersionedTextDocumentIdentifier(2, path.as_uri()),
        [types.TextDocumentContentChangeWholeDocument(text + "# CRASH_HERE\n")]))
    while True:
        logged = await asyncio.wait_for(
            crashing_client.wait_for_notification(types.WINDOW_LOG_MESSAGE), 20)
        if "a bug in archlint" in logged.message:
            break
    assert logged.type == types.MessageType.Error
    assert crashing_client.diagnostics[path.as_uri()] is shown  # nothing new published
    assert await hints(crashing_client, path) == []
    # The server lives on: the next edit is analysed.
    crashing_client.text_document_did_change(types.DidChangeTextDocumentParams(
        types.VersionedTextDocumentIdentifier(3, path.as_uri()),
        [types.TextDocumentContentChangeWholeDocument(text.replace('"relu"', '"linear"'))]))
    after = await next_diagnostics(crashing_client, path.as_uri(), shown)
    assert {d.code for d in after} == {d.code for d in first} - {"AL303"}
