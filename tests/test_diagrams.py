"""Model diagrams are read from the model itself: its layers, its connections, its shared layers."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import keras
import numpy as np
from keras import layers

from grader.author.diagrams import _depths, model_graph, render_svg
from grader.author.figures import Series, line_chart

SVG = "{http://www.w3.org/2000/svg}"


def _titles(graph) -> list[str]:
    return [box.title.split(" (")[0] for box in graph.boxes]


def test_a_sequential_model_is_drawn_as_a_chain_headed_by_its_input():
    model = keras.Sequential([keras.Input(shape=(28, 28)), layers.Flatten(name="flat"),
                              layers.Dense(4, activation="relu", name="hidden")])
    graph = model_graph(model)
    assert _titles(graph) == ["input", "flat", "hidden"]
    assert len(graph.edges) == 2 and graph.boxes[2].details == ("→ (None, 4)", "relu · 3,140 params")


def test_a_residual_connection_is_an_edge_that_skips_over_the_block():
    inputs = keras.Input(shape=(8,), name="x")
    h = layers.Dense(8, name="f1")(inputs)
    h = layers.Dense(8, name="f2")(h)
    model = keras.Model(inputs, layers.Add(name="sum")([inputs, h]))
    graph = model_graph(model)
    ids = {box.title.split(" (")[0]: box.key for box in graph.boxes}
    depth = _depths(graph)
    skip = [e for e in graph.edges if (e.source, e.target) == (ids["x"], ids["sum"])]
    assert skip and depth[ids["sum"]] - depth[ids["x"]] == 3
    assert render_svg(graph).count("class=\"kd-edge\"") == len(graph.edges)


def test_a_shared_layer_is_one_box_called_twice_and_a_plus_is_an_operation():
    left, right = keras.Input(shape=(4,), name="left"), keras.Input(shape=(4,), name="right")
    encode = layers.Dense(3, name="encode")
    a, b = encode(left), encode(right)
    model = keras.Model([left, right], a + b)
    graph = model_graph(model)
    encoder = next(box for box in graph.boxes if box.title.startswith("encode "))
    assert _titles(graph).count("encode") == 1
    assert "called 2×, one set of weights" in encoder.details[-1]
    total = next(box for box in graph.boxes if box.kind == "operation")
    # the operation's name is Keras' own (add, add_1, …: a process-wide counter, so it depends on what ran
    # before in the process): only its kind is the drawing's
    assert re.fullmatch(r"add(_\d+)? \(Add\)", total.title), total.title
    assert "operation, not a layer" in total.details[-1]
    assert next(e for e in graph.edges if e.source == encoder.key).count == 2


def test_a_subclassed_model_is_one_box_that_lists_its_layers_and_says_whether_it_is_built():
    class Tiny(keras.Model):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.hidden = layers.Dense(2)

        def call(self, inputs):
            return self.hidden(inputs)

    model = Tiny(name="tiny")
    assert "not built" in model_graph(model).boxes[0].details[0]
    model(np.zeros((1, 3)))
    graph = model_graph(model)
    assert len(graph.boxes) == 1 and not graph.edges
    assert graph.boxes[0].details[0] == "8 params" and "hidden: Dense" in graph.boxes[0].details


def test_the_drawing_is_self_contained_svg_with_one_group_per_box():
    inputs = keras.Input(shape=(3,))
    graph = model_graph(keras.Model(inputs, layers.Dense(2)(inputs)))
    root = ET.fromstring(render_svg(graph, "a caption"))
    assert root.tag == f"{SVG}svg" and root.find(f"{SVG}title").text == "a caption"
    assert len(root.findall(f"{SVG}g")) == len(graph.boxes) == 2
    assert "http" not in render_svg(graph).replace("http://www.w3.org/2000/svg", "")


def test_a_chart_draws_one_line_per_series_with_one_point_per_value():
    chart = line_chart("t", "epoch", "loss", [Series("a", (1, 2, 3), (0.9, 0.5, 0.4)),
                                              Series("b", (1, 2, 3), (0.8, 0.6, 0.5), dashed=True)])
    lines = ET.fromstring(chart).findall(f"{SVG}polyline")
    assert [len(line.get("points").split()) for line in lines] == [3, 3]
