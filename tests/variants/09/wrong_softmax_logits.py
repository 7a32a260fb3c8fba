"""expect: outputs probabilities (a softmax); the model must output logits"""
import keras
from keras import layers


class MLPClassifier(keras.Model):
    def __init__(self, hidden_units=128, dropout_rate=0.5, num_classes=10, **kwargs):
        super().__init__(**kwargs)
        self.flatten = layers.Flatten()
        self.hidden = layers.Dense(hidden_units, activation="relu")
        self.dropout = layers.Dropout(dropout_rate)
        self.classifier = layers.Dense(num_classes, activation="softmax")  # probabilities, not logits

    def call(self, inputs, training=None):
        x = self.hidden(self.flatten(inputs))
        return self.classifier(self.dropout(x, training=training))
