"""The layer catalog: one ``LayerSpec`` per Keras layer class, looked up by class name.

Each family lives in its own module and registers its specs with ``@register``.
"""

from __future__ import annotations

from archlint.layers.base import LayerSpec

REGISTRY: dict[str, LayerSpec] = {}


def register(cls: type[LayerSpec]) -> type[LayerSpec]:
    """Class decorator: add a spec to the catalog under its name and aliases."""
    spec = cls()
    for name in (cls.class_name, *cls.aliases):
        if name in REGISTRY:
            raise ValueError(f"layer class {name} registered twice")
        REGISTRY[name] = spec
    return cls


def lookup(class_name: str) -> LayerSpec | None:
    """The spec for a Keras class name or alias (``MaxPool1D`` finds ``MaxPooling1D``)."""
    _load_families()
    return REGISTRY.get(class_name)


def all_specs() -> list[LayerSpec]:
    _load_families()
    return sorted(set(REGISTRY.values()), key=lambda s: s.class_name)


_loaded = False


def _load_families() -> None:
    global _loaded
    if _loaded:
        return
    _loaded = True
    import importlib

    from archlint.package_scan import submodule_names

    # Every module of this package except the shared ones registers a family of layers.
    for name in submodule_names(__path__):
        if name not in ("base", "shape_utils", "options", "quantization", "catalog"):
            importlib.import_module(f"{__name__}.{name}")
