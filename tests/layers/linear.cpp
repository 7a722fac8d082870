// Numerical tests of include/ctnet/layers/linear.hpp: y = W x + b with W stored [out][in], as
// nn.Linear's weight.
#include <algorithm>
#include <cstddef>
#include <initializer_list>
#include <span>
#include <type_traits>
#include <vector>

#include <catch2/catch.hpp>

#include "ctnet/ctnet.hpp"
#include "support.hpp"

namespace {
using ctnet::testing::require_values;
using ctnet::testing::set;

using ctnet::shape;



}  // namespace

TEST_CASE("linear: shapes, parameters and storage", "[layers][linear]") {
  using fc = ctnet::bind<ctnet::linear<2>, shape<3>>;
  STATIC_REQUIRE(std::is_same_v<fc::output, shape<2>>);
  // weight 2*3 = 6, bias 2.
  STATIC_REQUIRE(fc::params == 8);
  STATIC_REQUIRE(fc::macs == 6);
  // weight rounded up to 16 floats, bias at 16, rounded up to 16.
  STATIC_REQUIRE(fc::tensors[0].dims[0] == 2);
  STATIC_REQUIRE(fc::tensors[0].dims[1] == 3);
  STATIC_REQUIRE(fc::tensors[1].offset == 16);
  STATIC_REQUIRE(fc::storage == 32);
  // ResNet-18's head: 512 -> 1000, 513000 parameters.
  STATIC_REQUIRE(ctnet::bind<ctnet::linear<1000>, shape<512>>::params == 513000);
}

TEST_CASE("linear: weights are [out][in], plus bias, for each sample", "[layers][linear]") {
  ctnet::model<ctnet::network<shape<3>, ctnet::linear<2>>> m;
  REQUIRE(m.tensor("0.weight").size() == 6);
  REQUIRE(m.tensor("0.bias").size() == 2);
  // W = [[ 1  2   3]     b = [0.5 -1]
  //      [-1  0.5 4]]
  set(m.tensor("0.weight"), {1, 2, 3, -1, 0.5f, 4});
  set(m.tensor("0.bias"), {0.5f, -1});

  const std::vector<float> x{1, -2, 0.25f,  // sample 0
                             0, 1, -1};     // sample 1
  std::vector<float> y(4);
  m.forward(x, y);
  // sample 0: y0 = 1*1 + 2*-2 + 3*0.25 + 0.5 = 1 - 4 + 0.75 + 0.5 = -1.75
  //           y1 = -1*1 + 0.5*-2 + 4*0.25 - 1 = -1 - 1 + 1 - 1 = -2
  // sample 1: y0 = 0 + 2 - 3 + 0.5 = -0.5
  //           y1 = 0 + 0.5 - 4 - 1 = -4.5
  // (Reading W as [in][out] would give y0 = 1*1 + 3*-2 + 0.5*0.25 + 0.5 = -4.375 for sample 0.)
  require_values(y, {-1.75, -2, -0.5, -4.5});
}

TEST_CASE("linear: a wider output through the bound layer", "[layers][linear]") {
  using fc = ctnet::bind<ctnet::linear<3>, shape<2>>;
  std::vector<float> params(fc::storage, 0.0f);
  // W = [[1 0] [0 1] [2 -3]], b = [0 100 -0.5]
  const float weight[] = {1, 0, 0, 1, 2, -3}, bias[] = {0, 100, -0.5f};
  std::copy_n(weight, 6, params.begin() + fc::tensors[0].offset);
  std::copy_n(bias, 3, params.begin() + fc::tensors[1].offset);

  const std::vector<float> x{4, 5};
  std::vector<float> y(3, 1e9f);
  fc::forward(params.data(), x.data(), y.data(), nullptr, 1);
  // y = [4, 5 + 100, 2*4 - 3*5 - 0.5] = [4, 105, -7.5]
  require_values(y, {4, 105, -7.5});
}
