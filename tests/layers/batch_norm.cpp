// Numerical tests of include/ctnet/layers/batch_norm.hpp in inference mode:
//   y = gamma * (x - running_mean) / sqrt(running_var + eps) + beta,  eps = 1e-5 (PyTorch's default).
// The statistics are chosen so that var + eps is a round number (3.99999 + 0.00001 = 4), and one
// channel has var = 0 so that the result depends on eps alone: 1 / sqrt(1e-5) = 316.2277660168379.
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



// Three channels:
//   c0: gamma 2,   beta 0.5, mean 1,  var 3.99999 -> sd 2,   y = 2 (x - 1) / 2 + 0.5     = x - 0.5
//   c1: gamma -1,  beta 0,   mean -2, var 0.24999 -> sd 0.5, y = -(x + 2) / 0.5           = -2x - 4
//   c2: gamma 0.5, beta 3,   mean 0,  var 0       -> sd sqrt(1e-5),
//       y = 0.5 * 316.2277660168379 * x + 3 = 158.11388300841898 x + 3
template <class Model>
void set_statistics(Model& m) {
  set(m.tensor("0.weight"), {2, -1, 0.5f});
  set(m.tensor("0.bias"), {0.5f, 0, 3});
  set(m.tensor("0.running_mean"), {1, -2, 0});
  set(m.tensor("0.running_var"), {3.99999f, 0.24999f, 0});
}

}  // namespace

TEST_CASE("batch_norm: shapes, parameters and storage", "[layers][batch_norm]") {
  using map = ctnet::bind<ctnet::batch_norm, shape<3, 2, 2>>;
  STATIC_REQUIRE(std::is_same_v<map::output, shape<3, 2, 2>>);
  // gamma and beta are parameters (2 * 3); the running statistics are stored but not trained.
  STATIC_REQUIRE(map::params == 6);
  // Four tensors of 3 floats, each in its own 16-float (64-byte) granule.
  STATIC_REQUIRE(map::storage == 64);
  STATIC_REQUIRE(map::tensors[0].name == "weight");
  STATIC_REQUIRE(map::tensors[1].offset == 16);
  STATIC_REQUIRE(map::tensors[2].name == "running_mean");
  STATIC_REQUIRE(map::tensors[2].offset == 32);
  STATIC_REQUIRE(map::tensors[3].name == "running_var");
  STATIC_REQUIRE(map::tensors[3].offset == 48);

  using vec = ctnet::bind<ctnet::batch_norm, shape<5>>;
  STATIC_REQUIRE(std::is_same_v<vec::output, shape<5>>);
  STATIC_REQUIRE(vec::params == 10);
}

TEST_CASE("batch_norm: inference on a CxHxW feature map", "[layers][batch_norm]") {
  ctnet::model<ctnet::network<shape<3, 2, 2>, ctnet::batch_norm>> m;
  set_statistics(m);

  const std::vector<float> x{
      1, 2, -3, 4,                   // c0
      0, 1, -1, 0.5f,                // c1
      0.015625f, -0.03125f, 0, 0.125f  // c2 (1/64, -1/32, 0, 1/8: exact in float)
  };
  std::vector<float> y(12);
  m.forward(x, y);
  require_values(y, {
                        // c0: x - 0.5
                        0.5, 1.5, -3.5, 3.5,
                        // c1: -2x - 4: -4, -6, -2, -5
                        -4, -6, -2, -5,
                        // c2: 158.11388300841898 x + 3
                        //   x = 1/64:  2.470529422006547 + 3 =  5.470529422006547
                        //   x = -1/32: -4.941058844013093 + 3 = -1.941058844013093
                        //   x = 0:     3
                        //   x = 1/8:   19.764235376052372 + 3 = 22.764235376052372
                        5.470529422006547, -1.941058844013093, 3, 22.764235376052372,
                    });
}

TEST_CASE("batch_norm: inference on a vector shape<N>, batch of 2", "[layers][batch_norm]") {
  ctnet::model<ctnet::network<shape<3>, ctnet::batch_norm>> m;
  set_statistics(m);

  // Sample n, channel c at n * 3 + c.
  const std::vector<float> x{2, 0.5f, 0.125f,  //
                             -1, -0.5f, -0.015625f};
  std::vector<float> y(6);
  m.forward(x, y);
  require_values(y, {
                        // sample 0: c0 2 - 0.5 = 1.5; c1 -2*0.5 - 4 = -5; c2 0.125 -> 22.764235376052372
                        1.5, -5, 22.764235376052372,
                        // sample 1: c0 -1 - 0.5 = -1.5; c1 -2*-0.5 - 4 = -3;
                        //           c2 -1/64 -> 3 - 2.470529422006547 = 0.529470577993453
                        -1.5, -3, 0.529470577993453,
                    });
}

TEST_CASE("batch_norm: the bound layer reads its statistics at the tensors' offsets", "[layers][batch_norm]") {
  using bn = ctnet::bind<ctnet::batch_norm, shape<2, 1, 3>>;
  std::vector<float> params(bn::storage, 0.0f);
  // c0: gamma 3, beta -1, mean 2, var 8.99999 -> sd 3: y = (x - 2) - 1 = x - 3
  // c1: gamma 1, beta 10, mean 0, var 0.99999 -> sd 1: y = x + 10
  const float gamma[] = {3, 1}, beta[] = {-1, 10}, mean[] = {2, 0}, var[] = {8.99999f, 0.99999f};
  std::copy_n(gamma, 2, params.begin() + bn::tensors[0].offset);
  std::copy_n(beta, 2, params.begin() + bn::tensors[1].offset);
  std::copy_n(mean, 2, params.begin() + bn::tensors[2].offset);
  std::copy_n(var, 2, params.begin() + bn::tensors[3].offset);

  const std::vector<float> x{5, 6, 7, -1, -2, -3,  // sample 0
                             0, 1, 2, 4, 5, 6};    // sample 1
  std::vector<float> y(12, 1e9f);
  bn::forward(params.data(), x.data(), y.data(), nullptr, 2);
  require_values(y, {2, 3, 4, 9, 8, 7,  //
                     -3, -2, -1, 14, 15, 16});
}

TEST_CASE("batch_norm: freshly initialised statistics (1, 0, 0, 1) scale by 1/sqrt(1 + eps)", "[layers][batch_norm]") {
  ctnet::model<ctnet::network<shape<2>, ctnet::batch_norm>> m;
  // 1 / sqrt(1.00001) = 0.9999950000374997
  const std::vector<float> x{1, -4};
  std::vector<float> y(2);
  m.forward(x, y);
  require_values(y, {0.9999950000374997, -3.999980000149999});
}
