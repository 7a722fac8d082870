// The fast convolution (packed weights × patches: the input itself, masked rows of it or of its
// phases, gathered from it, or im2col's) against the reference oracle, on odd shapes: channels that are no multiple of the
// SIMD width, odd H and W, strides, padding, bias, batches of 1 and 3.
#include <ctnet/ctnet.hpp>

#include <catch2/catch.hpp>

#include "agreement.hpp"
#include "support.hpp"

#include <algorithm>
#include <cmath>
#include <span>
#include <thread>
#include <vector>

namespace {
using namespace ctnet;

using testing::fast_vs_reference;
using testing::random_values;
using testing::relative_error;

template <std::size_t C, std::size_t H, std::size_t W, class Conv>
using one_conv = network<shape<C, H, W>, Conv>;
}  // namespace

TEST_CASE("fast conv2d matches the reference on odd shapes", "[kernels][simd][conv2d]") {
  INFO("kernels: " << active_arch());
  for (std::size_t batch : {1, 3}) {
    INFO("batch " << batch);
    CHECK(fast_vs_reference<one_conv<3, 7, 5, conv2d<5, 3>>>(batch, 1) <= 1e-5);               // 3×3 /1 pad 1
    CHECK(fast_vs_reference<one_conv<5, 9, 9, conv2d<7, 3, 2>>>(batch, 2) <= 1e-5);            // 3×3 /2
    CHECK(fast_vs_reference<one_conv<6, 8, 10, conv2d<9, 3, 2>>>(batch, 3) <= 1e-5);           // even input, /2
    CHECK(fast_vs_reference<one_conv<13, 5, 7, conv2d<9, 1, 1, 0>>>(batch, 4) <= 1e-5);        // 1×1, read directly
    CHECK(fast_vs_reference<one_conv<6, 7, 7, conv2d<10, 1, 2, 0>>>(batch, 5) <= 1e-5);        // 1×1 /2
    CHECK(fast_vs_reference<one_conv<3, 15, 13, conv2d<8, 7, 2, 3>>>(batch, 6) <= 1e-5);       // 7×7 /2 (stem)
    CHECK(fast_vs_reference<one_conv<4, 6, 6, conv2d<3, 5, 1, 0>>>(batch, 7) <= 1e-5);         // 5×5, no padding
    CHECK(fast_vs_reference<one_conv<2, 3, 3, conv2d<17, 3, 1, 2>>>(batch, 8) <= 1e-5);        // padding > output
    CHECK(fast_vs_reference<one_conv<7, 5, 6, conv2d_with_bias<11, 3, 1, 1>>>(batch, 9) <= 1e-5);
    // "Same" convolutions pack their patches from the input (same_patches.hpp): rows and columns of
    // one pixel, windows of 5 and 7, and micro-panels that span several rows of a wide output.
    CHECK(fast_vs_reference<one_conv<2, 1, 9, conv2d<3, 3, 1, 1>>>(batch, 20) <= 1e-5);
    CHECK(fast_vs_reference<one_conv<3, 11, 1, conv2d<4, 3, 1, 1>>>(batch, 21) <= 1e-5);
    CHECK(fast_vs_reference<one_conv<5, 9, 7, conv2d<6, 5, 1, 2>>>(batch, 22) <= 1e-5);
    CHECK(fast_vs_reference<one_conv<2, 8, 9, conv2d<3, 7, 1, 3>>>(batch, 23) <= 1e-5);
    CHECK(fast_vs_reference<one_conv<20, 13, 11, conv2d<19, 3, 1, 1>>>(batch, 24) <= 1e-5);
    // One or two panels of output channels: the product reads the input in place for the tiles
    // whose reads stay inside it, the first and last ones with masked loads (AVX-512, AVX2) or
    // packed (elsewhere), and packs column tails.
    CHECK(fast_vs_reference<one_conv<5, 11, 12, conv2d<8, 3, 1, 1>>>(batch, 25) <= 1e-5);
    CHECK(fast_vs_reference<one_conv<16, 9, 13, conv2d<16, 3, 1, 1>>>(batch, 26) <= 1e-5);
    CHECK(fast_vs_reference<one_conv<5, 13, 11, conv2d<24, 3, 1, 1>>>(batch, 36) <= 1e-5);  // whole panels of 6 and 8
    CHECK(fast_vs_reference<one_conv<3, 10, 12, conv2d_with_bias<16, 5, 1, 2>>>(batch, 27) <= 1e-5);
    CHECK(fast_vs_reference<one_conv<1, 1, 1, conv2d_with_bias<1, 1, 1, 0>>>(batch, 10) <= 1e-5);
    // Strided windows whose output covers the input read its phases (tap_planes.hpp): in place
    // where the output channels are whole panels (24: 3 of 8 rows, 4 of 6), with odd sizes, a
    // window smaller than its stride, padding wider than the window's reach, stride 3.
    STATIC_REQUIRE(simd::reads_phase_planes(bind<conv2d<24, 3, 2>, shape<6, 37, 41>>::geometry));
    STATIC_REQUIRE(!simd::reads_phase_planes(bind<conv2d<24, 3, 2, 0>, shape<5, 8, 9>>::geometry));
    STATIC_REQUIRE(!simd::reads_phase_planes(bind<conv2d<24, 1, 2, 0>, shape<5, 19, 23>>::geometry));
    CHECK(fast_vs_reference<one_conv<6, 37, 41, conv2d<24, 3, 2>>>(batch, 30) <= 1e-5);
    CHECK(fast_vs_reference<one_conv<3, 45, 47, conv2d_with_bias<24, 7, 2, 3>>>(batch, 31) <= 1e-5);
    CHECK(fast_vs_reference<one_conv<5, 19, 23, conv2d<24, 1, 2, 0>>>(batch, 32) <= 1e-5);
    CHECK(fast_vs_reference<one_conv<4, 17, 16, conv2d<24, 2, 3, 0>>>(batch, 33) <= 1e-5);
    CHECK(fast_vs_reference<one_conv<3, 9, 11, conv2d<24, 3, 2, 3>>>(batch, 34) <= 1e-5);
    CHECK(fast_vs_reference<one_conv<2, 11, 13, conv2d<9, 3, 3, 2>>>(batch, 29) <= 1e-5);
    // Windows over 7×7 go through an im2col matrix; up to 7×7 the others (here strided outputs
    // smaller than the input's phases) are gathered.
    CHECK(fast_vs_reference<one_conv<3, 13, 12, conv2d<5, 9, 2, 4>>>(batch, 28) <= 1e-5);
    CHECK(fast_vs_reference<one_conv<5, 8, 9, conv2d<24, 3, 2, 0>>>(batch, 35) <= 1e-5);
  }
}

// 3×3 "same" convolutions with 64 channels or more on 16 tiles (13×13) or more run as Winograd's
// F(4×4, 3×3) (winograd.hpp), within the 1e-4 the issue allows it (measured 1e-5 on these). Odd
// sizes leave partial tiles and partial groups of tiles at the right and bottom edges; at batch 4
// blocks of tiles span images, and 2 threads share the blocks out. An image of 16 tiles is one
// block with AVX-512 (a vector of tiles): at batch 1 the threads share its channels instead
// (run_shared_block), 70 output channels in bands of whole panels. The residual blocks check the
// fused epilogue (bias, residual, relu).
TEST_CASE("fast conv2d by Winograd's F(4x4, 3x3) matches the reference", "[kernels][simd][conv2d][winograd]") {
  INFO("kernels: " << active_arch());
  STATIC_REQUIRE(simd::uses_winograd(bind<conv2d<64, 3>, shape<64, 29, 27>>::geometry));
  STATIC_REQUIRE(simd::uses_winograd(bind<conv2d<64, 3>, shape<64, 13, 13>>::geometry));
  STATIC_REQUIRE(!simd::uses_winograd(bind<conv2d<64, 3>, shape<64, 12, 13>>::geometry));
  STATIC_REQUIRE(!simd::uses_winograd(bind<conv2d<512, 3>, shape<512, 14, 14>>::geometry));
  STATIC_REQUIRE(!simd::uses_winograd(bind<conv2d<64, 3, 2>, shape<64, 56, 56>>::geometry));
  using block = network<shape<64, 30, 28>,
                        residual<sequential<conv2d<64, 3>, batch_norm, relu, conv2d<64, 3>, batch_norm>, identity>>;
  using small_block =
      network<shape<64, 14, 13>,
              residual<sequential<conv2d<64, 3>, batch_norm, relu, conv2d<64, 3>, batch_norm>, identity>>;
  for (std::size_t threads : {1, 2}) {
    set_num_threads(threads);
    for (std::size_t batch : {1, 4}) {
      INFO("batch " << batch << ", threads " << threads);
      CHECK(fast_vs_reference<one_conv<64, 29, 27, conv2d<64, 3>>>(batch, 40) <= 1e-4);
      CHECK(fast_vs_reference<one_conv<67, 28, 33, conv2d_with_bias<70, 3>>>(batch, 41) <= 1e-4);
      CHECK(fast_vs_reference<block>(batch, 42) <= 1e-4);
      CHECK(fast_vs_reference<one_conv<67, 13, 15, conv2d_with_bias<70, 3>>>(batch, 45) <= 1e-4);
      CHECK(fast_vs_reference<small_block>(batch, 46) <= 1e-4);
    }
  }
  // Blocks of tiles depend on the thread count; what each output element goes through does not.
  model<block> m(43);
  const auto x = random_values(5 * model<block>::input_size, 44);
  const auto results = testing::forward_with_thread_counts(m, x, 5);
  for (const auto& r : results) REQUIRE(r == results.front());
  // Nor do the bands of a shared block (batch 1).
  model<small_block> small(47);
  const auto one = random_values(model<small_block>::input_size, 48);
  const auto small_results = testing::forward_with_thread_counts(small, one, 1);
  for (const auto& r : small_results) REQUIRE(r == small_results.front());
}

// Fused (forward) and unfused (forward_unfused) alike, to 1e-5 of the largest output, tighter than the
// 1e-4 the issue allows for long reductions: measured here 4e-7 for the CIFAR nets, 1e-6 for resnet18,
// 2e-6 for resnet50, despite reductions of up to 4608 terms.
TEST_CASE("whole models run by the fast kernels agree with the reference", "[kernels][simd][models]") {
  CHECK(fast_vs_reference<models::cifar_resnet<20>>(3, 11) <= 1e-5);
  CHECK(fast_vs_reference<models::cifar_resnet<20, option_b>>(1, 12) <= 1e-5);
  CHECK(fast_vs_reference<models::cifar_resnet<56, option_c>>(1, 15) <= 1e-5);
  CHECK(fast_vs_reference<models::cifar_plain<20>>(2, 16) <= 1e-5);
}

// [slow]: the scalar reference runs these ImageNet models for minutes under an emulator.
TEST_CASE("whole ImageNet models run by the fast kernels agree with the reference",
          "[kernels][simd][models][slow]") {
  CHECK(fast_vs_reference<models::resnet18>(1, 13) <= 1e-5);
  CHECK(fast_vs_reference<models::resnet50>(1, 14) <= 1e-5);
}

TEST_CASE("results are identical for any number of threads", "[kernels][simd][threads]") {
  model<models::cifar_resnet<20>> m(21);
  const auto x = random_values(2 * 3072, 22);
  std::vector<std::vector<float>> results;
  for (std::size_t threads : {1, 2, 3, 5}) {
    set_num_threads(threads);
    REQUIRE(num_threads() == threads);
    results.emplace_back(20);
    m.forward(x, results.back());
  }
  set_num_threads(2);
  for (const auto& r : results) REQUIRE(r == results.front());
  REQUIRE_THROWS_AS(set_num_threads(0), ctnet::error);
}

// A batch goes to the threads whole images at a time, what does not divide among them as a batch
// (model::forward): neither may change an image's result. 5 images on 2 threads: 4 alone, 1 left.
TEST_CASE("an image's result does not depend on the batch it came in", "[kernels][simd][threads]") {
  using net = model<models::cifar_resnet<20>>;
  net m(23);
  constexpr std::size_t batch = 5, in = net::input_size, out = net::output_size;
  const auto x = random_values(batch * in, 24);
  for (std::size_t threads : {2, 3}) {
    set_num_threads(threads);
    std::vector<float> together(batch * out);
    m.forward(x, together);
    for (std::size_t i = 0; i < batch; ++i) {
      std::vector<float> alone(out);
      m.forward(std::span<const float>(x).subspan(i * in, in), alone);
      INFO(threads << " threads, image " << i);
      CHECK(std::equal(alone.begin(), alone.end(), together.begin() + static_cast<long>(i * out)));
    }
  }
  set_num_threads(2);
}

// The README's advice for concurrent inference: a model per thread. The two share the kernels'
// pool; each must get the results it gets alone (batch 3 on 2 threads: images alone and a batch).
TEST_CASE("models in two threads run forward passes at the same time", "[kernels][simd][threads]") {
  using net = model<models::cifar_resnet<20>>;
  constexpr std::size_t batch = 3;
  net first(25), second(26);
  const auto x = random_values(batch * net::input_size, 27), z = random_values(batch * net::input_size, 28);
  std::vector<float> first_alone(batch * net::output_size), second_alone(first_alone.size());
  first.forward(x, first_alone);
  second.forward(z, second_alone);
  bool first_same = true, second_same = true;
  const auto keep_running = [](net& m, const std::vector<float>& in, const std::vector<float>& want, bool& same) {
    std::vector<float> got(want.size());
    for (int i = 0; i < 8; ++i) {
      m.forward(in, got);
      same = same && got == want;
    }
  };
  std::thread other([&] { keep_running(second, z, second_alone, second_same); });
  keep_running(first, x, first_alone, first_same);
  other.join();
  CHECK(first_same);
  CHECK(second_same);
}

TEST_CASE("changing weights through tensor() reaches the fast kernels", "[kernels][simd]") {
  model<one_conv<2, 4, 4, conv2d<3, 3>>> m(1);
  const auto x = random_values(32, 2);
  std::vector<float> before(48), after(48), reference(48);
  m.forward(x, before);
  for (float& w : m.tensor("0.weight")) w *= 2;
  m.forward(x, after);
  m.forward_reference(x, reference);
  REQUIRE(relative_error(after, reference) <= 1e-5);
  REQUIRE(std::abs(after[0] - 2 * before[0]) <= 1e-5f * (1 + std::abs(after[0])));

  // A span kept across a forward pass: weights_changed() says it was written through.
  const auto kept = m.tensor("0.weight");
  m.forward(x, after);
  for (float& w : kept) w = 0;
  m.weights_changed();
  m.forward(x, after);
  REQUIRE(std::all_of(after.begin(), after.end(), [](float v) { return v == 0.0f; }));
}
