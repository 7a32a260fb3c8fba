"""expect: MLPClassifier() builds a functional model"""
import keras
from keras import layers


class MLPClassifier(keras.Model):
    def __init__(self, hidden_units=128, dropout_rate=0.5, num_classes=10, **kwargs):
        inputs = keras.Input(shape=(28, 28))
        x = layers.Dense(hidden_units, activation="relu")(layers.Flatten()(inputs))
        outputs = layers.Dense(num_classes)(layers.Dropout(dropout_rate)(x))
        super().__init__(inputs=inputs, outputs=outputs, **kwargs)
