"""A linear Dense with keras.ops.relu applied in call(); the input reshaped with keras.ops; tf.keras-free.
styles: separate-activation
"""
import keras


class MLPClassifier(keras.Model):
    def __init__(self, hidden_units=128, dropout_rate=0.5, num_classes=10, mc_dropout=False, **kwargs):
        super().__init__(**kwargs)
        self.hidden_units, self.mc_dropout = hidden_units, mc_dropout
        self.dense_hidden = keras.layers.Dense(hidden_units)
        self.dropout = keras.layers.Dropout(dropout_rate)
        self.dense_out = keras.layers.Dense(num_classes)

    def call(self, inputs, training=False):
        flat = keras.ops.reshape(inputs, (keras.ops.shape(inputs)[0], -1))
        hidden = keras.ops.relu(self.dense_hidden(flat))
        return self.dense_out(self.dropout(hidden, training=training or self.mc_dropout))
