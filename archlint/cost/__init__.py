"""The cost of a forward pass: FLOPs (as TensorFlow's profiler counts them) and MACs, per
call, per layer and per model, for one sample."""
