"""Figures measured at site build: a learning curve (lesson 5) and accuracy against size (capstone).

Each figure trains small real models on the grader's own dataset (`grader.datasets.load_dataset`,
with the course seed) and draws the result as self-contained SVG. `FIGURES` maps the name used in a
page's `<!-- figure: NAME -->` marker to the function that makes it. Training is kept tiny (a few
thousand images at most, a few epochs) because the site is built in the tests; the docs hook caches
the result.
"""

from __future__ import annotations

import html
import math
from collections.abc import Callable
from dataclasses import dataclass

MAX_TRAIN = 4000  # images: enough for a real curve, small enough for a build
EPOCHS = 10
BATCH_SIZE = 32


@dataclass(frozen=True)
class Series:
    label: str
    xs: tuple[float, ...]
    ys: tuple[float, ...]
    dashed: bool = False


@dataclass(frozen=True)
class Figure:
    """A measured figure: its SVG and a caption that says what was run on which data."""

    svg: str
    caption: str


def _nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    span = (high - low) or 1.0
    step = 10 ** math.floor(math.log10(span / count))
    for factor in (1, 2, 2.5, 5, 10):
        if span / (step * factor) <= count:
            step *= factor
            break
    first = math.floor(low / step) * step
    return [round(first + i * step, 10) for i in range(int((high - first) / step) + 2) if first + i * step <= high + 1e-9]


def line_chart(title: str, x_label: str, y_label: str, series: list[Series], *, log_x: bool = False,
               y_range: tuple[float, float] | None = None, marks: tuple[tuple[float, str], ...] = (),
               legend_at_bottom: bool = False) -> str:
    """An SVG line chart with axes, ticks, a legend (top or bottom right) and vertical marks (x, label)."""
    width, height, left, right, top, bottom = 430, 260, 52, 30, 30, 44
    xs = [x for s in series for x in s.xs] + [m[0] for m in marks]
    ys = [y for s in series for y in s.ys]
    fx = (lambda v: math.log10(v)) if log_x else (lambda v: v)
    x_low, x_high = fx(min(xs)), fx(max(xs))
    if x_high == x_low:
        x_high += 1
    y_low, y_high = y_range or (min(ys), max(ys))
    pad = (y_high - y_low) * 0.05 or 0.05
    y_low, y_high = (y_low, y_high) if y_range else (y_low - pad, y_high + pad)

    def px(v: float) -> float:
        return left + (fx(v) - x_low) / (x_high - x_low) * (width - left - right)

    def py(v: float) -> float:
        return top + (1 - (v - y_low) / (y_high - y_low)) * (height - top - bottom)

    out = [f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {width} {height}" width="{width}" '
           f'height="{height}" role="img" aria-label="{html.escape(title)}"><title>{html.escape(title)}</title>',
           f"<style>{CHART_STYLE}</style>",
           f'<text x="{left}" y="18" class="kd-chart-title">{html.escape(title)}</text>',
           f'<line x1="{left}" y1="{height - bottom}" x2="{width - right}" y2="{height - bottom}" class="kd-axis"/>',
           f'<line x1="{left}" y1="{top}" x2="{left}" y2="{height - bottom}" class="kd-axis"/>']
    for tick in _nice_ticks(y_low, y_high):
        if y_low <= tick <= y_high:
            out.append(f'<line x1="{left}" y1="{py(tick):.1f}" x2="{width - right}" y2="{py(tick):.1f}" class="kd-grid"/>'
                       f'<text x="{left - 6}" y="{py(tick) + 4:.1f}" text-anchor="end">{tick:g}</text>')
    x_ticks = ([10 ** e for e in range(math.ceil(x_low), math.floor(x_high) + 1)] if log_x
               else _nice_ticks(x_low, x_high, 6))
    for tick in x_ticks:
        if not x_low - 1e-9 <= fx(tick) <= x_high + 1e-9:
            continue
        label = f"{tick:,.0f}" if tick >= 1 else f"{tick:g}"
        out.append(f'<text x="{px(tick):.1f}" y="{height - bottom + 16}" text-anchor="middle">{label}</text>')
    out.append(f'<text x="{(left + width - right) / 2}" y="{height - 8}" text-anchor="middle">{html.escape(x_label)}</text>')
    out.append(f'<text x="14" y="{(top + height - bottom) / 2}" text-anchor="middle" '
               f'transform="rotate(-90 14 {(top + height - bottom) / 2})">{html.escape(y_label)}</text>')
    for x, label in marks:
        out.append(f'<line x1="{px(x):.1f}" y1="{top}" x2="{px(x):.1f}" y2="{height - bottom}" class="kd-mark"/>'
                   f'<text x="{px(x) + 4:.1f}" y="{(top + height - bottom) / 2 + 20:.0f}">{html.escape(label)}</text>')
    for index, s in enumerate(series):
        points = " ".join(f"{px(x):.1f},{py(y):.1f}" for x, y in zip(s.xs, s.ys, strict=True))
        cls = f"kd-series kd-series-{index}" + (" kd-dashed" if s.dashed else "")
        out.append(f'<polyline points="{points}" class="{cls}"/>')
        out.extend(f'<circle cx="{px(x):.1f}" cy="{py(y):.1f}" r="2.6" class="kd-dot-{index}"/>'
                   for x, y in zip(s.xs, s.ys, strict=True))
        legend_y = (height - bottom - 10 - 15 * (len(series) - 1 - index)) if legend_at_bottom else top + 4 + 15 * index
        legend_x = width - right - 12 - max(len(item.label) for item in series) * 6 - 26
        out.append(f'<line x1="{legend_x}" y1="{legend_y}" x2="{legend_x + 20}" y2="{legend_y}" '
                   f'class="{cls}"/><text x="{legend_x + 25}" y="{legend_y + 4}">{html.escape(s.label)}</text>')
    out.append("</svg>")
    return "".join(out)


CHART_STYLE = (
    ".chart{font:11px sans-serif;max-width:100%;height:auto}"
    ".chart text{fill:var(--md-default-fg-color,#222)}"
    ".chart .kd-chart-title{font-weight:bold;font-size:12px}"
    ".chart .kd-axis{stroke:var(--md-default-fg-color--light,#777)}"
    ".chart .kd-grid{stroke:var(--md-default-fg-color--lightest,#ddd)}"
    ".chart .kd-mark{stroke:#c62828;stroke-dasharray:4 3}"
    ".chart .kd-series{fill:none;stroke-width:2}"
    ".chart .kd-series-0{stroke:#1e88e5}.chart .kd-dot-0{fill:#1e88e5}"
    ".chart .kd-series-1{stroke:#e53935}.chart .kd-dot-1{fill:#e53935}"
    ".chart .kd-series-2{stroke:#43a047}.chart .kd-dot-2{fill:#43a047}"
    ".chart .kd-dashed{stroke-dasharray:5 3}"
)


def _data():
    from grader.datasets import load_dataset

    dataset = load_dataset()
    return dataset, dataset.x_train[:MAX_TRAIN], dataset.y_train[:MAX_TRAIN]


def source_model(hidden_units: int = 128):
    """The source text's model with `hidden_units` hidden units, compiled as lesson 5 teaches."""
    import keras

    model = keras.Sequential([keras.Input(shape=(28, 28)), keras.layers.Flatten(),
                              keras.layers.Dense(hidden_units, activation="relu"), keras.layers.Dense(10)])
    model.compile(optimizer="adam", loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                  metrics=["accuracy"])
    return model


def learning_curve() -> Figure:
    """Loss and accuracy per epoch, training vs held-out, of the source model (lesson 5's recipe)."""
    import keras

    dataset, x, y = _data()
    keras.utils.set_random_seed(dataset.seed)
    model = source_model()
    untrained_loss = model.evaluate(dataset.x_test, dataset.y_test, verbose=0)[0]
    history = model.fit(x, y, epochs=EPOCHS, batch_size=BATCH_SIZE, verbose=0,
                        validation_data=(dataset.x_test, dataset.y_test)).history
    epochs = tuple(range(1, EPOCHS + 1))
    loss = line_chart("Loss per epoch", "epoch", "loss", [
        Series("training", epochs, tuple(history["loss"])),
        Series("held-out", epochs, tuple(history["val_loss"]), dashed=True)])
    accuracy = line_chart("Accuracy per epoch", "epoch", "accuracy", [
        Series("training", epochs, tuple(history["accuracy"])),
        Series("held-out", epochs, tuple(history["val_accuracy"]), dashed=True)], legend_at_bottom=True)
    caption = (f"Measured when this site was built: the source text's model, Adam, batch size {BATCH_SIZE}, "
               f"{EPOCHS} epochs on {len(x):,} training images of {dataset.description}; held-out = "
               f"{len(dataset.x_test):,} images never trained on. Before training, evaluate gave a held-out loss "
               f"of {untrained_loss:.3f} (ln 10 ≈ 2.303); fit reported {history['loss'][0]:.3f} for epoch 1, "
               f"the mean over that epoch's batches. Final held-out accuracy "
               f"{history['val_accuracy'][-1]:.3f}, training accuracy {history['accuracy'][-1]:.3f}.")
    return Figure(loss + accuracy, caption)


def capstone_sizes() -> Figure:
    """Held-out accuracy against parameter count: the source model at several hidden widths."""
    import keras

    dataset, x, y = _data()
    widths = (4, 8, 16, 24, 64, 128)
    params, accuracies = [], []
    for width in widths:
        keras.utils.set_random_seed(dataset.seed)
        model = source_model(width)
        model.fit(x, y, epochs=EPOCHS, batch_size=BATCH_SIZE, verbose=0)
        params.append(model.count_params())
        accuracies.append(model.evaluate(dataset.x_test, dataset.y_test, verbose=0)[1])
    chart = line_chart("Held-out accuracy against size", "parameters (log scale)", "held-out accuracy",
                       [Series("Flatten → Dense(h, relu) → Dense(10)", tuple(params), tuple(accuracies))],
                       log_x=True, marks=((20_000, "budget 20,000"),), legend_at_bottom=True)
    rows = ", ".join(f"h = {w}: {p:,} → {a:.3f}" for w, p, a in zip(widths, params, accuracies, strict=True))
    caption = (f"Measured when this site was built: Adam, batch size {BATCH_SIZE}, {EPOCHS} epochs on "
               f"{len(x):,} training images of {dataset.description}. {rows}.")
    return Figure(chart, caption)


FIGURES: dict[str, Callable[[], Figure]] = {
    "learning-curve": learning_curve,
    "capstone-sizes": capstone_sizes,
}
