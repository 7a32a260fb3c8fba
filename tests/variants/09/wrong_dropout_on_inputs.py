"""expect: does not compute Dropout(0.5) on the hidden layer's output"""
import keras
from keras import layers


class MLPClassifier(keras.Model):
    def __init__(self, hidden_units=128, dropout_rate=0.5, num_classes=10, **kwargs):
        super().__init__(**kwargs)
        self.flatten = layers.Flatten()
        self.hidden = layers.Dense(hidden_units, activation="relu")
        self.dropout = layers.Dropout(dropout_rate)
        self.classifier = layers.Dense(num_classes)

    def call(self, inputs, training=None):
        x = self.dropout(self.flatten(inputs), training=training)  # drops pixels, not hidden units
        return self.classifier(self.hidden(x))
