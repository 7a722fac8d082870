// shape<C, H, W> for feature maps, shape<N> for vectors: the static extents of one sample.
// The batch size is never part of a shape: it is chosen at run time by forward().
#pragma once
#include <cstddef>

namespace ctnet {

template <std::size_t... Extents>
struct shape {
  static_assert(sizeof...(Extents) == 1 || sizeof...(Extents) == 3,
                "ctnet::shape: use shape<N> for a vector or shape<C, H, W> for a feature map");
  static constexpr std::size_t rank = sizeof...(Extents);
  static constexpr std::size_t size = (Extents * ...);  // floats in one sample
};

template <std::size_t C, std::size_t H, std::size_t W>
struct shape<C, H, W> {
  static constexpr std::size_t rank = 3;
  static constexpr std::size_t channels = C, height = H, width = W;
  static constexpr std::size_t size = C * H * W;
};

template <std::size_t N>
struct shape<N> {
  static constexpr std::size_t rank = 1;
  static constexpr std::size_t channels = N, height = 1, width = 1;  // a vector is N channels of 1×1
  static constexpr std::size_t size = N;
};

template <class T>
inline constexpr bool is_shape_v = false;
template <std::size_t... E>
inline constexpr bool is_shape_v<shape<E...>> = true;

// Output extent of a sliding window (convolution or pooling), as PyTorch computes it (floor mode).
// Signed, so that a window larger than its padded input yields a non-positive extent that a
// static_assert can name instead of wrapping around.
constexpr long window_output(std::size_t in, std::size_t kernel, std::size_t stride, std::size_t padding) {
  const long padded = static_cast<long>(in + 2 * padding), k = static_cast<long>(kernel);
  return padded < k ? padded - k : (padded - k) / static_cast<long>(stride) + 1;
}

// The extent to carry on with after a failed check, so one static_assert is all the user sees.
constexpr std::size_t at_least_one(long extent) { return extent < 1 ? 1 : static_cast<std::size_t>(extent); }

}  // namespace ctnet
