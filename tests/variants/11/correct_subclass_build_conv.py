"""A subclassed tf.keras model that makes its layers in build(), expands the channel axis with keras.ops and
has a Dropout that follows `training`; batch grading traces it into a functional graph.
styles: tf-keras
"""
import tensorflow as tf

keras = tf.keras


class TinyConvNet(keras.Model):
    def build(self, input_shape):
        self.features = [keras.layers.Conv2D(8, 3, activation="relu"), keras.layers.MaxPooling2D(2),
                         keras.layers.Flatten()]
        self.dropout = keras.layers.Dropout(0.1)
        self.classifier = keras.layers.Dense(10)

    def call(self, images, training=False):
        x = keras.ops.expand_dims(images, axis=-1)
        for layer in self.features:
            x = layer(x)
        return self.classifier(self.dropout(x, training=training))


def build_model():
    return TinyConvNet(name="tiny")


def compile_model(model):
    model.compile(keras.optimizers.Adam(2e-3), keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                  metrics=["accuracy"])


def training_recipe():
    return dict(epochs=8, batch_size=64)
