"""KerasTuner search spaces: a hypermodel analysed at every point of its space (or at
sampled points when the space is too large), with the range of each model figure and
the points Keras refuses. See ``space.analyse_search_spaces``."""
