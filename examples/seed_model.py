"""Time-series regressor: Conv1D and MaxPool1D shorten the sequence, two asymmetric
Bidirectional layers (forward LSTM, backward GRU) read it both ways, a dense head predicts.

20 timesteps of 6 features in, one non-negative value out.
"""

from tensorflow import keras
from tensorflow.keras.backend import clear_session
from tensorflow.keras.layers import (
    GRU,
    LSTM,
    Bidirectional,
    Conv1D,
    Dense,
    Flatten,
    Input,
    MaxPool1D,
)
from tensorflow.keras.models import Model

TIMESTEPS, FEATURES = 20, 6

clear_session()
il = Input(shape=(TIMESTEPS, FEATURES))
hl = Conv1D(filters=32, kernel_size=10, strides=1, padding="valid", activation="swish")(il)
hl = MaxPool1D(pool_size=2)(hl)

forward_lstm24_1 = LSTM(24, return_sequences=True)
backward_gru16 = GRU(16, return_sequences=True, go_backwards=True)
hl = Bidirectional(layer=forward_lstm24_1, backward_layer=backward_gru16,
                   name="Bidirectional_1")(hl)

forward_lstm24_2 = LSTM(24, return_sequences=True)
backward_gru24 = GRU(24, return_sequences=True, go_backwards=True)
hl = Bidirectional(layer=forward_lstm24_2, backward_layer=backward_gru24,
                   name="Bidirectional_2")(hl)
hl = Flatten()(hl)
hl = Dense(256, activation="swish", name="Fully_Connected")(hl)
ol = Dense(1, activation="relu", name="output")(hl)

model = Model(il, ol)
model.compile(loss=keras.losses.mae, optimizer="adam")
model.summary()
