"""Draw a Keras model as an SVG: one box per layer, arrows for the tensors that flow between them.

The drawing is read from the model itself, as `keras.utils.plot_model` reads it, but needs neither
pydot nor Graphviz: `model_graph` turns a model into a `ModelGraph` (boxes and edges), and
`render_svg` lays the boxes out in rows by their depth in the graph and writes self-contained SVG
whose colours follow the site's theme (CSS variables of mkdocs-material, with fallbacks).

- `Sequential`: a chain, headed by its input when it has one.
- Functional: every operation of the graph (layers, inputs, and operations such as `x + h`), with
  one arrow per connection; a layer called twice (a shared layer) is one box with several arrows.
- Subclassed: one box. Keras sees the layers it tracks, not how `call` wires them, so the box lists
  them and says so.
"""

from __future__ import annotations

import html
import zlib
from dataclasses import dataclass, field

CHAR_WIDTH = 7.3  # 12 px monospace
LINE_HEIGHT = 17
ROW_GAP = 46
COLUMN_GAP = 28
MARGIN = 16
SKIP_LANE = 40


@dataclass(frozen=True)
class Box:
    """One layer or operation: its key in the graph, a title line and detail lines."""

    key: str
    title: str
    details: tuple[str, ...] = ()
    kind: str = "layer"  # "input", "layer", "operation", "model" or "subclassed"


@dataclass
class Edge:
    """Tensors from `source` to `target`; `count` > 1 when a shared layer sends several."""

    source: str
    target: str
    count: int = 1


@dataclass
class ModelGraph:
    """A model's drawing, before layout: its name, boxes in graph order, and edges."""

    name: str
    boxes: list[Box] = field(default_factory=list)
    edges: list[Edge] = field(default_factory=list)


STYLE = (
    ".model-diagram{font:12px/1 var(--md-code-font-family,monospace);max-width:100%;height:auto}"
    ".model-diagram text{fill:var(--md-default-fg-color,#222)}"
    ".model-diagram .kd-title{font-weight:bold}"
    ".model-diagram rect{fill:var(--md-code-bg-color,#f5f5f5);stroke:var(--md-default-fg-color--light,#888);"
    "stroke-width:1.2}"
    ".model-diagram .kd-box--input rect{fill:var(--md-accent-fg-color--transparent,#e8eaf6)}"
    ".model-diagram .kd-box--operation rect{stroke-dasharray:4 3}"
    ".model-diagram .kd-box--subclassed rect{stroke-dasharray:6 3}"
    ".model-diagram .kd-edge{fill:none;stroke:var(--md-default-fg-color--light,#888);stroke-width:1.4}"
    ".model-diagram .kd-arrowhead{fill:var(--md-default-fg-color--light,#888)}"
)


def _shape(shape) -> str:
    if isinstance(shape, dict):
        return ", ".join(f"{k}: {_shape(v)}" for k, v in shape.items())
    if isinstance(shape, (list, tuple)) and shape and isinstance(shape[0], (list, tuple)):
        return ", ".join(_shape(s) for s in shape)
    return "(" + ", ".join("None" if d is None else str(d) for d in shape) + (",)" if len(shape) == 1 else ")")


def _params(layer) -> str | None:
    import keras

    if not isinstance(layer, keras.layers.Layer):
        return None
    try:
        count = layer.count_params()
    except ValueError:
        return "not built"
    frozen = sum(int(_size(w)) for w in layer.non_trainable_weights)
    text = f"{count:,} params"
    return text + (f" ({frozen:,} non-trainable)" if frozen else "")


def _size(variable) -> int:
    size = 1
    for dim in variable.shape:
        size *= int(dim)
    return size


def _activation(layer) -> str | None:
    activation = getattr(layer, "activation", None)
    name = getattr(activation, "__name__", None)
    return name if name and name != "linear" else None


def _box(layer, shape, calls: int = 1) -> Box:
    import keras

    kind = ("input" if isinstance(layer, keras.layers.InputLayer) else
            "model" if isinstance(layer, keras.Model) else
            "layer" if isinstance(layer, keras.layers.Layer) else "operation")
    details = [f"→ {_shape(shape)}"] if shape is not None else []
    extras = [part for part in (_activation(layer), _params(layer) if kind != "input" else None) if part]
    if kind == "operation":
        extras.append("operation, not a layer")
    if calls > 1:
        extras.append(f"called {calls}×, one set of weights")
    if extras:
        details.append(" · ".join(extras))
    title = f"{layer.name} ({type(layer).__name__})"
    return Box(str(id(layer)), title, tuple(details), kind)


def _output_shape(layer):
    try:
        return layer.output.shape
    except (AttributeError, ValueError):
        return None


def model_graph(model) -> ModelGraph:
    """The boxes and arrows of `model` (Sequential, functional or subclassed)."""
    import keras
    from keras.src.models.functional import Functional
    from keras.src.ops.function import make_node_key

    graph = ModelGraph(model.name)
    if isinstance(model, keras.Sequential):
        previous = None
        if getattr(model, "_functional", None) is not None:
            for tensor in model.inputs:
                box = Box(f"input-{id(tensor)}", "input (Input)", (f"→ {_shape(tensor.shape)}",), "input")
                graph.boxes.append(box)
                previous = box.key
        for layer in model.layers:
            box = _box(layer, _output_shape(layer))
            graph.boxes.append(box)
            if previous is not None:
                graph.edges.append(Edge(previous, box.key))
            previous = box.key
        return graph
    if not isinstance(model, Functional):
        tracked = [f"{name}: {type(layer).__name__}" for name, layer in vars(model).items()
                   if isinstance(layer, keras.layers.Layer) and not name.startswith("_")]
        details = [f"{model.count_params():,} params" if model.built and model.weights else "not built: no weights yet",
                   "call() is Python code: Keras sees", "these layers, not how they connect:", *tracked]
        graph.boxes.append(Box(str(id(model)), f"{model.name} ({type(model).__name__})", tuple(details), "subclassed"))
        return graph
    for operation in model.operations:
        nodes = [(index, node) for index, node in enumerate(operation._inbound_nodes)
                 if make_node_key(operation, index) in model._nodes]
        shapes = [tuple(t.shape for t in node.output_tensors) for _, node in nodes] or [()]
        shape = shapes[0][0] if len(shapes[0]) == 1 else list(shapes[0])
        graph.boxes.append(_box(operation, shape, calls=len(nodes)))
        for _, node in nodes:
            for tensor in node.input_tensors:
                source = tensor._keras_history.operation
                key = (str(id(source)), str(id(operation)))
                known = next((e for e in graph.edges if (e.source, e.target) == key), None)
                if known is not None:
                    known.count += 1
                else:
                    graph.edges.append(Edge(*key))
    return graph


def _depths(graph: ModelGraph) -> dict[str, int]:
    depth = {box.key: 0 for box in graph.boxes}
    for _ in range(len(graph.boxes)):  # longest path from the inputs; graphs are small and acyclic
        changed = False
        for edge in graph.edges:
            if edge.source in depth and depth[edge.target] < depth[edge.source] + 1:
                depth[edge.target] = depth[edge.source] + 1
                changed = True
        if not changed:
            break
    return depth


def render_svg(graph: ModelGraph, caption: str = "") -> str:
    """Self-contained SVG of `graph`: rows by depth, top to bottom; skip connections on the right."""
    depth = _depths(graph)
    longest = max(len(line) for box in graph.boxes for line in (box.title, *box.details))
    box_width = max(180, round(longest * CHAR_WIDTH) + 22)  # one width for every box of this drawing
    marker = f"kd-arrow-{zlib.crc32((graph.name + caption).encode()):08x}"
    rows: dict[int, list[Box]] = {}
    for box in graph.boxes:
        rows.setdefault(depth[box.key], []).append(box)
    heights = {row: max(LINE_HEIGHT * (1 + len(b.details)) + 12 for b in boxes) for row, boxes in rows.items()}
    widest = max(len(boxes) for boxes in rows.values())
    skips = [e for e in graph.edges if depth[e.target] - depth[e.source] > 1]
    width = MARGIN * 2 + widest * box_width + (widest - 1) * COLUMN_GAP + (SKIP_LANE * len(skips) if skips else 0)
    content = MARGIN * 2 + widest * box_width + (widest - 1) * COLUMN_GAP
    position: dict[str, tuple[float, float, float]] = {}  # key -> (x, y, height)
    y = MARGIN
    for row in sorted(rows):
        boxes = rows[row]
        span = len(boxes) * box_width + (len(boxes) - 1) * COLUMN_GAP
        x = (content - span) / 2
        for box in boxes:
            position[box.key] = (x, y, heights[row])
            x += box_width + COLUMN_GAP
        y += heights[row] + ROW_GAP
    height = y - ROW_GAP + MARGIN
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="model-diagram" viewBox="0 0 {width:.0f} {height:.0f}" '
        f'width="{width:.0f}" height="{height:.0f}" role="img" aria-label="{html.escape(caption or graph.name)}">',
        f"<title>{html.escape(caption or graph.name)}</title>",
        f"<style>{STYLE}</style>",
        f"<defs><marker id=\"{marker}\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" "
        "orient=\"auto-start-reverse\"><path d=\"M 0 0 L 10 5 L 0 10 z\" class=\"kd-arrowhead\"/></marker></defs>",
    ]
    lane = content
    for edge in graph.edges:
        if edge.source not in position or edge.target not in position:
            continue
        sx, sy, sh = position[edge.source]
        tx, ty, _ = position[edge.target]
        if edge in skips:
            lane += SKIP_LANE
            x0, y0, x1, y1 = sx + box_width, sy + sh / 2, tx + box_width, ty + 12
            path = f"M {x0:.0f} {y0:.0f} C {lane:.0f} {y0:.0f}, {lane:.0f} {y1:.0f}, {x1 + 2:.0f} {y1:.0f}"
        else:
            x0, y0, x1, y1 = sx + box_width / 2, sy + sh, tx + box_width / 2, ty
            mid = (y0 + y1) / 2
            path = f"M {x0:.0f} {y0:.0f} C {x0:.0f} {mid:.0f}, {x1:.0f} {mid:.0f}, {x1:.0f} {y1 - 2:.0f}"
        parts.append(f'<path d="{path}" class="kd-edge" marker-end="url(#{marker})"/>')
        if edge.count > 1:
            parts.append(f'<text x="{(x0 + x1) / 2 + 6:.0f}" y="{(y0 + y1) / 2 + 4:.0f}">×{edge.count}</text>')
    for box in graph.boxes:
        x, y0, h = position[box.key]
        parts.append(f'<g class="kd-box kd-box--{box.kind}"><rect x="{x:.0f}" y="{y0:.0f}" width="{box_width}" '
                     f'height="{h:.0f}" rx="6"/>')
        parts.append(f'<text x="{x + 10:.0f}" y="{y0 + 18:.0f}" class="kd-title">{html.escape(box.title)}</text>')
        for i, line in enumerate(box.details):
            parts.append(f'<text x="{x + 10:.0f}" y="{y0 + 18 + LINE_HEIGHT * (i + 1):.0f}">{html.escape(line)}</text>')
        parts.append("</g>")
    parts.append("</svg>")
    return "".join(parts)


def model_svg(model, caption: str = "") -> str:
    """`render_svg(model_graph(model))`."""
    return render_svg(model_graph(model), caption)
