"""Costs of a model computed from its graph: FLOPs (as TensorFlow's profiler counts them)
and MACs of a forward pass, memory (weights, activations, training) and receptive fields,
each exact, symbolic or unknown with the reason."""
