// fused_residual<Prefix, Last, Shortcut>: a residual block whose body ends in a convolution with its
// batch norm (Last, a conv_bn), so that the add and the relu after it run in that convolution's
// epilogue, reading the shortcut there: the identity's x itself, or the projection's or zero_pad's
// output, saved beside the body's. No pass of its own, and no sum written and read back.
#pragma once
#include <algorithm>
#include <cstddef>
#include <string>
#include <string_view>
#include <type_traits>

#include "../graph/node.hpp"
#include "../graph/sequential.hpp"
#include "../graph/shortcut.hpp"
#include "../graph/steps.hpp"
#include "../graph/walk.hpp"
#include "conv_bn.hpp"

namespace ctnet {

template <class Prefix, class Last, class Shortcut>
struct fused_residual {};

namespace detail {
template <class Layer>
struct fuse_layer;  // fuse.hpp
}  // namespace detail

template <class Prefix, class Last, class Shortcut, class In>
struct bind<fused_residual<Prefix, Last, Shortcut>, In> {
  using prefix = bind<Prefix, In>;
  using last = bind<Last, typename prefix::output>;
  using output = typename last::output;
  // The shortcut the unfused block resolves (a projection is a conv and a batch norm: fused too).
  using shortcut_layer = typename detail::fuse_layer<resolve_shortcut_t<Shortcut, In, output>>::type;
  using shortcut = bind<shortcut_layer, In>;
  static constexpr bool adds_input = std::is_same_v<shortcut_layer, identity>;

  using input = In;
  static constexpr std::size_t params = prefix::params + last::params + shortcut::params;
  static constexpr std::size_t storage = prefix::storage + last::storage + shortcut::storage;
  static constexpr std::size_t macs = prefix::macs + last::macs + shortcut::macs;
  static constexpr std::size_t kernels = prefix::kernels + last::kernels + shortcut::kernels;
  // Live together: the body's activation before Last, and the shortcut's output (unless it is x).
  static constexpr std::size_t saved = prefix::output::size + (adds_input ? 0 : output::size);
  static constexpr std::size_t workspace =
      saved + std::max({prefix::workspace, last::workspace, shortcut::workspace});

  template <class Arch>
  static constexpr std::size_t packed_floats() {
    return prefix::template packed_floats<Arch>() + last::template packed_floats<Arch>() +
           shortcut::template packed_floats<Arch>();
  }
  template <class Arch>
  static void pack(const float* p, float* packed) {
    prefix::template pack<Arch>(p, packed);
    last::template pack<Arch>(p + prefix::storage, packed + last_at<Arch>);
    shortcut::template pack<Arch>(p + prefix::storage + last::storage, packed + shortcut_at<Arch>);
  }
  template <class Arch>
  static void run(const float* packed, const float* x, float* y, float* ws, std::size_t n) {
    float* const body = ws;
    float* const kept = body + n * prefix::output::size;
    float* const scratch = ws + n * saved;
    run_step<prefix>([&] { prefix::template run<Arch>(packed, x, body, scratch, n); });
    const float* added = x;
    if constexpr (!adds_input) {
      run_step<shortcut>(
          [&] { shortcut::template run<Arch>(packed + shortcut_at<Arch>, x, kept, scratch, n); });
      added = kept;
    }
    run_step<last>(
        [&] { last::template run_adding<Arch>(packed + last_at<Arch>, body, y, scratch, n, added); });
  }

  // Where Last's and the shortcut's packed weights start (public for walk()).
  template <class Arch>
  static constexpr std::size_t last_at = prefix::template packed_floats<Arch>();
  template <class Arch>
  static constexpr std::size_t shortcut_at = last_at<Arch> + last::template packed_floats<Arch>();
};

template <class Prefix, class Last, class Shortcut, class In>
inline constexpr bool is_step_v<bind<fused_residual<Prefix, Last, Shortcut>, In>> = false;

// The step that ends a fused residual block, as walk() reports it: Last, with the add of the
// shortcut and the relu in its epilogue.
template <class Block>
struct fused_residual_end {
  using last = typename Block::last;
  using input = typename last::input;
  using output = typename last::output;
  static constexpr std::string_view kind = last::kind;
  static constexpr std::size_t macs = last::macs, storage = last::storage;
  static std::string detail() { return last::detail() + ", + shortcut, relu"; }
};

namespace detail {
// A fused block's steps in the order run() takes them: the prefix's, the shortcut's, then Last's.
// (Fusion drops the layers' names, so the paths are positions: "prefix", "downsample", "last".)
template <class Prefix, class Last, class Shortcut, class In>
struct walker<bind<fused_residual<Prefix, Last, Shortcut>, In>> {
  using block = bind<fused_residual<Prefix, Last, Shortcut>, In>;
  template <class Arch, class F>
  static void walk(F& f, const node_site& site) {
    walker<typename block::prefix>::template walk<Arch>(
        f, node_site{join_path(site.path, "prefix"), site.offset, site.packed_offset});
    walker<typename block::shortcut>::template walk<Arch>(
        f, node_site{join_path(site.path, "downsample"),
                     site.offset + block::prefix::storage + block::last::storage,
                     site.packed_offset + block::template shortcut_at<Arch>});
    f(std::type_identity<fused_residual_end<block>>{},
      node_site{join_path(site.path, "last"), site.offset + block::prefix::storage,
                site.packed_offset + block::template last_at<Arch>});
  }
};
}  // namespace detail

}  // namespace ctnet
