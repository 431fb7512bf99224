#pragma once

#include <cstddef>
#include <string>

namespace shapelint::bench {

enum class Generation { keras2, keras3 };

/// A Functional model: an input, then `layers` layers alternating Dense and Dropout with a
/// residual Add every few layers, written as `model.to_json()` of that generation would,
/// initializer and regularizer configs included (they make up much of real files).
std::string long_functional(std::size_t layers, Generation generation);

/// The smallest configs a large model can have: an input, then `layers` Activation layers in
/// a chain, as tf.keras 2 writes them (about 210 bytes a layer, a fifth of a Dense layer's).
/// Per byte of the file, the most layers, so the most of what each layer costs in memory.
std::string activation_chain(std::size_t layers, Generation generation);

/// The same chain in a Sequential model, whose layers name no inbound nodes: in tf.keras 2
/// form about 130 bytes a layer, the fewest bytes of file a layer can take.
std::string sequential_activation_chain(std::size_t layers, Generation generation);

/// An Inception-like image model: `blocks` blocks of four parallel conv branches joined by
/// Concatenate, with BatchNormalization and ReLU, about 10 layers per block.
std::string inception_like(std::size_t blocks, Generation generation);

/// A text classifier whose Embedding starts from a given matrix (GloVe vectors, say), written
/// into its config as a Constant initializer: `vocabulary` rows of `dimensions` float32
/// values, as tf.keras 2 writes them. Mostly numbers, as such configs are.
std::string embedding_with_weights(std::size_t vocabulary, std::size_t dimensions);

/// A small MNIST-sized CNN; `seed` varies filter counts so files differ.
std::string small_cnn(std::size_t seed, Generation generation);

}  // namespace shapelint::bench
