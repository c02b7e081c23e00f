"""The language server: archlint's diagnostics as the user types, each layer's output shape
and parameter count as an inlay hint, its summary row on hover.

Each change to a buffer restarts a short timer (``debounce``, 300 ms by default, set by the
client's ``initializationOptions``); when it runs out the buffer is analysed in a worker
thread, so requests are still answered meanwhile, and the diagnostics are published if the
buffer has not changed again. Inlay hints and hover ask for the analysis of the text as it
is now: one already made for this version is reused, otherwise it is made at once.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from lsprotocol import types
from pygls.lsp.server import LanguageServer

from archlint import __version__
from archlint.diagnostics import Diagnostic, Severity
from archlint.graph import Span
from archlint.records import record
from archlint.render.sarif import INFORMATION_URI
from archlint.server.annotations import hover_markdown, line_labels
from archlint.server.buffers import Outcome, SettingsCache, analyse_buffer

log = logging.getLogger("archlint.server")

DEFAULT_DEBOUNCE_MS = 300
SEVERITY = {Severity.ERROR: types.DiagnosticSeverity.Error,
            Severity.WARNING: types.DiagnosticSeverity.Warning,
            Severity.INFO: types.DiagnosticSeverity.Information}
# The line breaks of the LSP (and of Python's tokenizer): not str.splitlines()'s others.
LINE_BREAK = re.compile(r"\r\n|\r|\n")
# As the check sets it: analysis makes many short-lived objects (see archlint.check).
SERVER_GC_THRESHOLD = (100_000, 50, 100)


@record(eq=False)
class Analysed:
    """An analysis of one version of a document, with the text it read."""

    version: int | None
    outcome: Outcome
    lines: list[str]


class DocumentState:
    """What the server keeps per open document."""

    def __init__(self) -> None:
        self.latest: Analysed | None = None
        self.running: tuple[int | None, asyncio.Future[Analysed]] | None = None
        self.timer: asyncio.Task[None] | None = None


class ArchlintServer(LanguageServer):
    def __init__(self, debounce_ms: int = DEFAULT_DEBOUNCE_MS) -> None:
        super().__init__("archlint", __version__)
        self.debounce = debounce_ms / 1000
        self.documents: dict[str, DocumentState] = {}
        self.settings = SettingsCache()
        # One analysis at a time, off the event loop: requests are answered meanwhile.
        self.analyser = ThreadPoolExecutor(max_workers=1, thread_name_prefix="archlint")

    # Analysis, debounced and per version.

    def schedule(self, uri: str, delay: float) -> None:
        state = self.documents.setdefault(uri, DocumentState())
        if state.timer is not None:
            state.timer.cancel()
        state.timer = asyncio.get_running_loop().create_task(self._publish_later(uri, delay))

    async def _publish_later(self, uri: str, delay: float) -> None:
        await asyncio.sleep(delay)
        analysed = await self.current(uri)
        if analysed is None or uri not in self.documents:
            return
        if analysed.version != self.workspace.get_text_document(uri).version:
            return  # changed meanwhile: its own timer publishes the newer text
        if analysed.outcome.crash is not None:
            return  # logged; what the editor shows stays as it was
        self.text_document_publish_diagnostics(types.PublishDiagnosticsParams(
            uri, self.diagnostics(analysed), version=analysed.version))
        self._refresh_inlay_hints()

    async def current(self, uri: str) -> Analysed | None:
        """The analysis of the document's text as it is now (None once it is closed)."""
        state = self.documents.get(uri)
        if state is None:
            return None
        document = self.workspace.get_text_document(uri)
        version = document.version
        if state.latest is not None and state.latest.version == version:
            return state.latest
        if state.running is not None and state.running[0] == version:
            return await asyncio.shield(state.running[1])
        source, path = document.source, self._path(document.path)
        future = asyncio.get_running_loop().run_in_executor(self.analyser, self._analyse,
                                                             source, path, version)
        future.add_done_callback(lambda done: self._keep(state, path, done))
        state.running = (version, future)
        # Shielded: a newer keystroke cancels the timer that waits here, not the analysis
        # another request may be waiting for.
        return await asyncio.shield(future)

    def _keep(self, state: DocumentState, path: str, done: asyncio.Future[Analysed]) -> None:
        """Keeps a finished analysis (before anyone waiting on it resumes), logs a crash."""
        if done.cancelled():
            return
        analysed = done.result()
        if analysed.outcome.crash is not None:
            self.window_log_message(types.LogMessageParams(
                types.MessageType.Error, f"archlint failed on {path}: {analysed.outcome.crash}"))
        if state.latest is None or _newer(analysed.version, state.latest.version):
            state.latest = analysed

    def _analyse(self, source: str, path: str, version: int | None) -> Analysed:
        return Analysed(version, analyse_buffer(source, path, self.settings),
                        LINE_BREAK.split(source))

    def _path(self, path: str) -> str:
        """A file path for the configuration lookup; an unsaved new buffer is in the
        workspace's root (or the working directory)."""
        if path and Path(path).is_absolute():
            return path
        root = self.workspace.root_path or str(Path.cwd())
        return str(Path(root, Path(path or "untitled.py").name))

    def _refresh_inlay_hints(self) -> None:
        workspace = self.client_capabilities.workspace
        hints = workspace.inlay_hint if workspace else None
        if hints is not None and hints.refresh_support:
            self.workspace_inlay_hint_refresh(None)

    # Conversions to the protocol.

    def diagnostics(self, analysed: Analysed) -> list[types.Diagnostic]:
        outcome = analysed.outcome
        if outcome.config_error is not None:
            return [types.Diagnostic(types.Range(types.Position(0, 0), types.Position(0, 0)),
                                     f"archlint configuration: {outcome.config_error}",
                                     severity=types.DiagnosticSeverity.Error, source="archlint")]
        report = outcome.report
        return [self._diagnostic(d, analysed.lines) for d in report.diagnostics] \
            if report is not None else []

    def _diagnostic(self, diagnostic: Diagnostic, lines: list[str]) -> types.Diagnostic:
        description = types.CodeDescription(f"{INFORMATION_URI}#{diagnostic.code.lower()}") \
            if diagnostic.code in _builtin_codes() else None
        return types.Diagnostic(
            self.range(diagnostic.span, lines), diagnostic.message,
            severity=SEVERITY[diagnostic.severity], code=diagnostic.code,
            code_description=description, source="archlint",
            data={"rule": diagnostic.rule})

    def range(self, span: Span, lines: list[str]) -> types.Range:
        """A span (1-based lines, columns in UTF-8 bytes as ``ast`` gives them) in the
        client's position encoding; a span without an end covers the rest of its line."""
        line = max(span.line, 1) - 1
        start = self.position(lines, line, span.column)
        if span.end_line:
            end = self.position(lines, span.end_line - 1, span.end_column)
        else:
            end = self.position(lines, line, None)
        return types.Range(start, end)

    def position(self, lines: list[str], line: int, byte_column: int | None) -> types.Position:
        text = lines[line] if 0 <= line < len(lines) else ""
        prefix = text if byte_column is None else \
            text.encode("utf-8")[:byte_column].decode("utf-8", errors="ignore")
        return types.Position(line, self.workspace.position_codec.client_num_units(prefix))

    def inlay_hints(self, analysed: Analysed, within: types.Range) -> list[types.InlayHint]:
        """The hints at the ends of lines that fall within the range asked for."""
        report = analysed.outcome.report
        if report is None:
            return []
        start, end = (within.start.line, within.start.character), \
            (within.end.line, within.end.character)
        found = []
        for line, label in sorted(line_labels(report).items()):
            position = self.position(analysed.lines, line - 1, None)
            if start <= (position.line, position.character) <= end:
                found.append(types.InlayHint(position, label, kind=types.InlayHintKind.Type,
                                             padding_left=True))
        return found


def create_server(debounce_ms: int = DEFAULT_DEBOUNCE_MS) -> ArchlintServer:
    server = ArchlintServer(debounce_ms)

    @server.feature(types.INITIALIZE)
    def initialize(ls: ArchlintServer, params: types.InitializeParams) -> None:
        options = params.initialization_options
        if isinstance(options, dict) and isinstance(options.get("debounce"), int | float) \
                and options["debounce"] >= 0:
            ls.debounce = options["debounce"] / 1000

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: ArchlintServer, params: types.DidOpenTextDocumentParams) -> None:
        ls.documents[params.text_document.uri] = DocumentState()
        ls.schedule(params.text_document.uri, 0)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: ArchlintServer, params: types.DidChangeTextDocumentParams) -> None:
        ls.schedule(params.text_document.uri, ls.debounce)

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE)
    def did_save(ls: ArchlintServer, params: types.DidSaveTextDocumentParams) -> None:
        # A saved pyproject.toml may change the rules of every open model script.
        saved = params.text_document.uri
        for uri, state in ls.documents.items():
            if uri == saved or saved.endswith("/pyproject.toml"):
                state.latest = state.running = None
                ls.schedule(uri, 0)

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: ArchlintServer, params: types.DidCloseTextDocumentParams) -> None:
        state = ls.documents.pop(params.text_document.uri, None)
        if state is not None and state.timer is not None:
            state.timer.cancel()
        ls.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(params.text_document.uri, []))

    @server.feature(types.TEXT_DOCUMENT_INLAY_HINT)
    async def inlay_hint(ls: ArchlintServer, params: types.InlayHintParams
                         ) -> list[types.InlayHint]:
        analysed = await ls.current(params.text_document.uri)
        if analysed is None or analysed.outcome.crash is not None:
            return []
        return ls.inlay_hints(analysed, params.range)

    @server.feature(types.TEXT_DOCUMENT_HOVER)
    async def hover(ls: ArchlintServer, params: types.HoverParams) -> types.Hover | None:
        analysed = await ls.current(params.text_document.uri)
        report = analysed.outcome.report if analysed is not None else None
        found = hover_markdown(report, params.position.line + 1) if report else None
        if found is None or analysed is None:
            return None
        markdown, span = found
        return types.Hover(types.MarkupContent(types.MarkupKind.Markdown, markdown),
                           ls.range(span, analysed.lines))

    return server


@functools.cache
def _builtin_codes() -> frozenset[str]:
    """The codes documented with archlint (a plugin's rules are documented elsewhere)."""
    from archlint.plugins import load_rules

    return frozenset(entry.rule_class.code for entry in load_rules(include_plugins=False)[0])


def _newer(version: int | None, than: int | None) -> bool:
    return version is None or than is None or version >= than


def serve(debounce_ms: int = DEFAULT_DEBOUNCE_MS) -> None:
    """Serve over standard input and output until the client says exit."""
    import gc

    gc.set_threshold(*SERVER_GC_THRESHOLD)
    create_server(debounce_ms).start_io()
