#include "shapelint/model/graph.hpp"

namespace shapelint {

Layer::Layer() = default;
Layer::~Layer() = default;
Layer::Layer(Layer&&) noexcept = default;
Layer& Layer::operator=(Layer&&) noexcept = default;

}  // namespace shapelint
