// Keras 1 argument names (model/keras1.hpp): which names count on which classes, and the
// per-document shortcut (a config cannot use a name its document never writes) giving the
// same answers as looking for all thirteen names.
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include "shapelint/json/document.hpp"
#include "shapelint/model/keras1.hpp"

using namespace shapelint;

namespace {

std::unique_ptr<JsonDocument> parse(const std::string& text) {
  JsonParseError error;
  auto doc = JsonDocument::parse(text, 64, error);
  REQUIRE(doc);
  return doc;
}

}  // namespace

TEST_CASE("Keras 1 argument names count on the classes they were Keras 1 names on") {
  struct Row {
    const char* class_name;
    const char* config;
    bool keras1;
  };

  for (const Row& row : std::vector<Row>{
           {"Conv2D", R"({"filters": 8, "kernel_size": 3})", false},
           {"Convolution2D", R"({"nb_filter": 8, "nb_row": 3, "nb_col": 3})", true},
           {"Conv2D", R"({"border_mode": "same"})", true},
           {"LSTM", R"({"units": 4, "inner_activation": "sigmoid"})", true},
           {"Conv1D", R"({"subsample_length": 2})", true},
           {"Dense", R"({"output_dim": 10})", true},
           {"Embedding", R"({"input_dim": 100, "output_dim": 10})", false},  // Keras 2 kept it
           {"Dropout", R"({"p": 0.5})", true},
           {"SpatialDropout2D", R"({"p": 0.5})", true},
           {"Dense", R"({"units": 3, "p": 0.5})", false},
           {"GaussianNoise", R"({"sigma": 0.1})", true},
           {"Dense", R"({"units": 3, "sigma": 0.1})", false},
           {"Dense", R"({"units": 3, "name": "output_dim"})", false},  // a value, not a key
       }) {
    INFO(row.class_name << " " << row.config);
    auto doc = parse(row.config);
    CHECK(has_keras1_arguments(row.class_name, doc->root()) == row.keras1);
    CHECK(has_keras1_arguments(row.class_name, nlohmann::json::parse(row.config)) == row.keras1);
    Keras1ArgumentSet written = keras1_arguments_written(*doc);
    CHECK(has_keras1_arguments(row.class_name, doc->root(), written) == row.keras1);
  }
}

TEST_CASE("a document's Keras 1 argument names are the ones it writes, and only those are sought") {
  auto none = parse(R"({"units": 3, "activation": "relu"})");
  CHECK(keras1_arguments_written(*none) == 0);
  auto embedding = parse(R"([{"class_name": "Embedding", "config": {"output_dim": 8}},)"
                         R"( {"class_name": "Dense", "config": {"units": 3}}])");
  Keras1ArgumentSet written = keras1_arguments_written(*embedding);
  CHECK(written != 0);
  CHECK_FALSE(has_keras1_arguments("Embedding", embedding->root()[0]["config"], written));
  CHECK_FALSE(has_keras1_arguments("Dense", embedding->root()[1]["config"], written));
  // A name left out of the set is not looked for, even where it is written.
  auto dense = parse(R"({"output_dim": 8, "nb_filter": 3})");
  Keras1ArgumentSet both = keras1_arguments_written(*dense);
  CHECK(has_keras1_arguments("Dense", dense->root(), both));
  CHECK_FALSE(has_keras1_arguments("Dense", dense->root(), Keras1ArgumentSet{0}));
}
