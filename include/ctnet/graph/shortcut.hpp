// The shortcut branch of a residual block, and the paper's options for choosing it.
//   identity                     x itself: no parameters (only where the body keeps the shape)
//   zero_pad<Channels, Spatial>  option A: reduce H, W by the block's stride, add zero channels
//   projection                   option B's and C's 1×1 convolution with the block's stride, + BN
//   option_a / option_b / option_c  a policy that picks one of those from the shapes, per block
// zero_pad and projection need not be told the stride or width: a residual resolves them against
// the shape its body produces (resolve_shortcut_t).
#pragma once
#include <algorithm>
#include <cstddef>
#include <string>
#include <type_traits>

#include "../kernels/reference/shortcut.hpp"
#include "../kernels/simd/zero_pad.hpp"
#include "../layers/batch_norm.hpp"
#include "../layers/conv2d.hpp"
#include "node.hpp"
#include "sequential.hpp"
#include "steps.hpp"

namespace ctnet {

struct identity {};

template <class S>
struct bind<identity, S> : stateless {
  using input = S;
  using output = S;
  static constexpr std::size_t kernels = 0;  // a residual reads x itself
  static void forward(const float*, const float* x, float* y, float*, std::size_t n) {
    std::copy_n(x, n * S::size, y);
  }
  template <class Arch>
  static constexpr std::size_t packed_floats() { return 0; }
  template <class Arch>
  static void pack(const float*, float*) {}
  template <class Arch>
  static void run(const float*, const float* x, float* y, float*, std::size_t n) {
    std::copy_n(x, n * S::size, y);
  }
  template <class Visitor>
  static void visit(Visitor&, std::string_view, std::size_t) {}  // nothing to report: x passes through
};
template <class S>
inline constexpr bool is_step_v<bind<identity, S>> = false;

// Where option A's zero channels go. The two forms in the wild are incompatible: weights trained
// with one give wrong answers with the other.
enum class channel_padding {
  even,  // split before and after the input channels: the common PyTorch CIFAR code
  tail,  // all after the input channels: dlib
};
// How option A reduces H and W by the block's stride.
using spatial_reduction = reference::spatial_reduction;  // subsample (x[::s, ::s]) or average

template <channel_padding Channels = channel_padding::even,
          spatial_reduction Spatial = spatial_reduction::subsample>
struct zero_pad {};

// zero_pad resolved against a block: the stride and the number of output channels.
template <channel_padding Channels, spatial_reduction Spatial, std::size_t OutChannels, std::size_t Stride>
struct zero_pad_to {};

template <channel_padding Pad, spatial_reduction Spatial, std::size_t O, std::size_t S, std::size_t C,
          std::size_t H, std::size_t W>
struct bind<zero_pad_to<Pad, Spatial, O, S>, shape<C, H, W>>
    : stateless, leaf_node<bind<zero_pad_to<Pad, Spatial, O, S>, shape<C, H, W>>> {
  static_assert(O >= C, "zero_pad: a shortcut can add channels, not remove them");
  using input = shape<C, H, W>;
  using output = shape<O, (H + S - 1) / S, (W + S - 1) / S>;
  static constexpr std::size_t first_channel = Pad == channel_padding::even ? (O - C) / 2 : 0;
  static constexpr std::string_view kind = "zero_pad";
  static constexpr reference::window_geometry geometry{C, H, W, O, output::height, output::width, S, S, 0};

  static std::string detail() {
    return std::string(S > 1 ? (Spatial == spatial_reduction::subsample ? "subsample /" : "average /") +
                                   std::to_string(S) + ", "
                             : "") +
           "+" + std::to_string(O - C) + " channels" + (Pad == channel_padding::even ? " (even)" : " (tail)");
  }
  static void forward(const float*, const float* x, float* y, float*, std::size_t n) {
    reference::zero_pad_shortcut(geometry, Spatial, first_channel, x, y, n);
  }
  template <class Arch>
  static void run(const float*, const float* x, float* y, float*, std::size_t n) {
    simd::zero_pad<Arch>::template run<geometry, Spatial, first_channel>(x, y, n);
  }
};

struct projection {};

struct option_a {};  // identity where the shapes agree, zero_pad<> where they differ
struct option_b {};  // identity where the shapes agree, projection where they differ
struct option_c {};  // projection everywhere

namespace detail {
// The stride that takes an extent `in` to `out` as a stride-s 1×1 window does (ceil(in / s)), or 0.
constexpr std::size_t stride_between(std::size_t in, std::size_t out) {
  if (out == 0 || in < out) return 0;
  const std::size_t s = (in + out - 1) / out;
  return (in + s - 1) / s == out ? s : 0;
}

template <class In, class Target>
inline constexpr std::size_t block_stride = 0;  // 0: no stride reaches Target from In
template <std::size_t C, std::size_t H, std::size_t W, std::size_t TC, std::size_t TH, std::size_t TW>
inline constexpr std::size_t block_stride<shape<C, H, W>, shape<TC, TH, TW>> =
    stride_between(H, TH) == stride_between(W, TW) ? stride_between(H, TH) : 0;

template <class Shortcut, class In, class Target>
struct resolve {
  static constexpr bool reachable = true;
  using type = Shortcut;  // a concrete layer: used as it is
};
// reachable is false where no shortcut of that kind produces Target from In; type is then
// identity, only so that the residual can carry on after reporting it.
template <channel_padding Pad, spatial_reduction Spatial, class In, class Target>
struct resolve<zero_pad<Pad, Spatial>, In, Target> {
  static constexpr std::size_t stride = block_stride<In, Target>;
  static constexpr bool reachable = stride != 0 && Target::channels >= In::channels;
  using type = std::conditional_t<reachable, zero_pad_to<Pad, Spatial, Target::channels, stride>, identity>;
};
template <class In, class Target>
struct resolve<projection, In, Target> {
  static constexpr std::size_t stride = block_stride<In, Target>;
  static constexpr bool reachable = stride != 0;
  using type = std::conditional_t<reachable, sequential<conv2d<Target::channels, 1, stride, 0>, batch_norm>, identity>;
};
template <class In, class Target>
struct resolve<option_a, In, Target> : resolve<std::conditional_t<std::is_same_v<In, Target>, identity, zero_pad<>>, In, Target> {};
template <class In, class Target>
struct resolve<option_b, In, Target> : resolve<std::conditional_t<std::is_same_v<In, Target>, identity, projection>, In, Target> {};
template <class In, class Target>
struct resolve<option_c, In, Target> : resolve<projection, In, Target> {};
}  // namespace detail

// The concrete layer a shortcut (or option) becomes in a block from In to Target.
template <class Shortcut, class In, class Target>
using resolve_shortcut_t = typename detail::resolve<Shortcut, In, Target>::type;

// Whether zero_pad or projection (chosen by hand or by an option) can produce Target from In.
template <class Shortcut, class In, class Target>
inline constexpr bool shortcut_reaches_v = detail::resolve<Shortcut, In, Target>::reachable;

}  // namespace ctnet
