"""Costs of a model computed from its graph: memory (weights, activations, training) and
receptive fields, each a dimension (``archlint.dims``): exact, symbolic or unknown."""
