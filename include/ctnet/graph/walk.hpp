// walk<Net, Arch>(f): every layer of a network with its bound *type*, where visit() reports only
// run-time records. f is a generic callable, called once per layer, in visit()'s order, as
//
//     f(std::type_identity<Bound>{}, const node_site& site)
//
// with Bound the layer bound to its input (bind<conv2d<64, 3>, shape<64, 56, 56>>, ...) and site its
// path (PyTorch's state_dict prefix, as for_each_layer gives it) and where its weights sit, in the
// PyTorch layout and in Arch's execution layout. So a caller can run one layer alone, with its own
// kernels and its packed weights, as ctnet/bench does.
//
// The walk descends through network, sequential (each child) and residual (body, then shortcut);
// an identity shortcut is skipped, as visit() skips it; a residual itself is reported, after its
// two paths, as residual_add_step<bind<residual<...>, In>>: the y = relu(body + shortcut) that ends
// the block, under the block's own path. Any other bound type is a leaf and reported whole, except
// a fused network's fused_residual (fusion/residual.hpp: its prefix, its shortcut, then its last
// convolution with the add). So the layers come in the order a pass runs them: the steps a profile
// times (graph/steps.hpp).
#pragma once
#include <cstddef>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#include "../kernels/simd/arch.hpp"
#include "network.hpp"
#include "node.hpp"
#include "residual.hpp"
#include "sequential.hpp"
#include "shortcut.hpp"

namespace ctnet {

struct node_site {
  std::string path;            // "layer1.0.conv1"; a residual's add step has the block's, "layer1.0"
  std::size_t offset = 0;      // floats from the start of the model's buffer (PyTorch layout)
  std::size_t packed_offset = 0;  // floats from the start of the execution layout for the walk's Arch
};

// The step that ends a residual block, as a node of its own: it reads the body's output and the
// shortcut's (already in y), and writes y. No weights, no multiply-accumulates.
template <class Residual>
struct residual_add_step {
  using block = Residual;
  using input = typename Residual::output;
  using output = typename Residual::output;
  static constexpr std::string_view kind = "add";
  static constexpr std::size_t macs = 0, storage = 0;
  template <class Arch>
  static constexpr std::size_t packed_floats() { return 0; }
  template <class Arch>
  static void run(const float* body_out, float* y, std::size_t n) {
    Residual::template add<Arch>(body_out, y, n);
  }
};

template <class T>
inline constexpr bool is_residual_add_step_v = false;
template <class Residual>
inline constexpr bool is_residual_add_step_v<residual_add_step<Residual>> = true;

namespace detail {
// walker<Bound>::walk<Arch>(f, site) reports Bound's layers; partial specialisations descend.
template <class Bound>
struct walker {
  template <class Arch, class F>
  static void walk(F& f, const node_site& site) {
    f(std::type_identity<Bound>{}, site);
  }
};

template <class S>
struct walker<bind<identity, S>> {
  template <class Arch, class F>
  static void walk(F&, const node_site&) {}
};

template <class... Layers, class In>
struct walker<bind<sequential<Layers...>, In>> {
  using seq = bind<sequential<Layers...>, In>;
  template <class Arch, class F>
  static void walk(F& f, const node_site& site) {
    [&]<std::size_t... I>(std::index_sequence<I...>) {
      (walker<typename seq::template child<I>>::template walk<Arch>(
           f, node_site{join_path(site.path, seq::template name_of<I>()), site.offset + seq::offsets[I],
                        site.packed_offset + seq::template packed_offsets<Arch>[I]}),
       ...);
    }(std::index_sequence_for<Layers...>{});
  }
};

template <class Body, class Shortcut, class In>
struct walker<bind<residual<Body, Shortcut>, In>> {
  using block = bind<residual<Body, Shortcut>, In>;
  template <class Arch, class F>
  static void walk(F& f, const node_site& site) {
    // The execution layout puts the shortcut right after the body, as residual::pack does.
    walker<typename block::body>::template walk<Arch>(f, node_site{block::body_path(site.path), site.offset,
                                                                   site.packed_offset});
    walker<typename block::shortcut>::template walk<Arch>(
        f, node_site{join_path(site.path, block::shortcut_name()), site.offset + block::shortcut_offset,
                     site.packed_offset + block::body::template packed_floats<Arch>()});
    f(std::type_identity<residual_add_step<block>>{}, site);
  }
};
}  // namespace detail

template <network_type Net, class Arch = compiled_arch, class F>
void walk(F&& f) {
  detail::walker<bound_t<Net>>::template walk<Arch>(f, node_site{});
}

}  // namespace ctnet
