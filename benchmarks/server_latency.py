"""How long the language server takes to re-analyse a buffer after a keystroke.

    python benchmarks/server_latency.py            # 30 edits per model
    python benchmarks/server_latency.py --edits 10

Two models: the seed model and a generated model of 500 layers (benchmarks/run.py's). Each
edit changes one number in the buffer (a new text, nothing cached). Two figures per model:

- re-analysis: the buffer analysed in this process as the server does it (configuration
  lookup, analysis, diagnostics and inlay texts), median and 90th percentile;
- round trip: ``archlint server`` in its own process with a debounce of 0, from sending
  ``didChange`` to receiving the ``publishDiagnostics`` of that version, and from sending
  ``didChange`` to the answer of an ``inlayHint`` request sent right after it (the hints of
  the edited text). In an editor the debounce (300 ms by default) comes on top.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

from lsprotocol import types  # noqa: E402
from pygls.lsp.client import LanguageClient  # noqa: E402
from run import generated_model  # noqa: E402

from archlint.server.annotations import line_labels  # noqa: E402
from archlint.server.buffers import SettingsCache, analyse_buffer  # noqa: E402
from archlint.server.lsp import SERVER_GC_THRESHOLD  # noqa: E402


def edits(text: str, count: int) -> list[str]:
    """``count`` versions of the text, each with a different width in its first Dense."""
    marker = "Dense(256" if "Dense(256" in text else "Dense(1)"
    width = marker[len("Dense("):].rstrip(")")
    return [text.replace(marker, marker.replace(width, str(int(width) + i + 1)), 1)
            for i in range(count)]


def in_process(path: Path, texts: list[str]) -> list[float]:
    gc.set_threshold(*SERVER_GC_THRESHOLD)  # as the server runs
    cache = SettingsCache()
    samples = []
    for text in texts:
        start = time.perf_counter()
        outcome = analyse_buffer(text, str(path), cache)
        assert outcome.report is not None, outcome
        line_labels(outcome.report)
        samples.append(time.perf_counter() - start)
    return samples


async def round_trips(path: Path, texts: list[str]) -> tuple[list[float], list[float]]:
    client = LanguageClient("archlint-benchmark", "1")
    published: dict[int, asyncio.Future[float]] = {}

    @client.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    def on_diagnostics(params: types.PublishDiagnosticsParams) -> None:
        waiting = published.get(params.version or -1)
        if waiting is not None and not waiting.done():
            waiting.set_result(time.perf_counter())

    await client.start_io(sys.executable, "-m", "archlint", "server")
    await client.initialize_async(types.InitializeParams(
        capabilities=types.ClientCapabilities(), initialization_options={"debounce": 0}))
    client.initialized(types.InitializedParams())
    uri = path.as_uri()
    loop = asyncio.get_running_loop()
    published[1] = loop.create_future()
    client.text_document_did_open(types.DidOpenTextDocumentParams(
        types.TextDocumentItem(uri, "python", 1, texts[0])))
    await published[1]
    everything = types.Range(types.Position(0, 0), types.Position(len(texts[0].split("\n")), 0))
    diagnostics, hints = [], []
    previous: list[str] = []
    for version, text in enumerate(texts[1:], start=2):
        published[version] = loop.create_future()
        start = time.perf_counter()
        client.text_document_did_change(types.DidChangeTextDocumentParams(
            types.VersionedTextDocumentIdentifier(version, uri),
            [types.TextDocumentContentChangeWholeDocument(text)]))
        found = await client.text_document_inlay_hint_async(
            types.InlayHintParams(types.TextDocumentIdentifier(uri), everything))
        hints.append(time.perf_counter() - start)
        labels = [str(hint.label) for hint in found or []]
        assert labels and labels != previous, "the hints must be those of the edited text"
        previous = labels
        diagnostics.append(await published[version] - start)
    await client.shutdown_async(None)
    client.exit(None)
    await client.stop()
    return diagnostics, hints


def figures(samples: list[float]) -> str:
    ordered = sorted(samples)
    p90 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.9))]
    return f"median {statistics.median(samples) * 1000:6.1f} ms, p90 {p90 * 1000:6.1f} ms"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--edits", type=int, default=30)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        models = {"seed model (8 layers)": (ROOT / "examples" / "seed_model.py").read_text(),
                  "generated model (500 layers)": generated_model(500)}
        for name, text in models.items():
            path = Path(tmp, name.split()[0] + ".py")  # never written: an unsaved buffer
            texts = edits(text, args.edits + 1)
            in_process(path, texts[:3])  # warm-up: imports, rule set, configuration
            analysed = in_process(path, texts)
            diagnostics, hints = asyncio.run(round_trips(path, texts))
            print(f"{name}:")
            print(f"  re-analysis in process        {figures(analysed)}")
            print(f"  didChange -> diagnostics      {figures(diagnostics)}")
            print(f"  didChange -> inlay hints      {figures(hints)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
