// residual<Body, Shortcut>: y = relu(Body(x) + Shortcut(x)), the building block of the paper.
// Shortcut is identity, zero_pad<...>, projection, or a policy (option_a/b/c) resolved per block.
// In a summary or a weight file, the body's layers sit directly under the block's path (as in
// torchvision: layer1.0.conv1) and the shortcut under "downsample" unless named<> otherwise.
#pragma once
#include <cstddef>
#include <string>
#include <type_traits>

#include "../diagnostics.hpp"
#include "../kernels/reference/shortcut.hpp"
#include "../kernels/simd/elementwise.hpp"
#include "named.hpp"
#include "node.hpp"
#include "sequential.hpp"
#include "shortcut.hpp"
#include "steps.hpp"

namespace ctnet {

template <class Body, class Shortcut = identity>
struct residual {};

namespace detail {
template <class L>
inline constexpr bool is_sequential = false;
template <class... Ls>
inline constexpr bool is_sequential<sequential<Ls...>> = true;
}  // namespace detail

template <class Body, class Shortcut, class In>
struct bind<residual<Body, Shortcut>, In> {
  using body = bind<unnamed_t<Body>, In>;
  using shortcut_layer = resolve_shortcut_t<unnamed_t<Shortcut>, In, typename body::output>;
  using shortcut = bind<shortcut_layer, In>;

  // In a member class, so that clang reports one error (see diagnostics.hpp). At most one of
  // the two assertions fails: the second speaks where no zero_pad or projection can fit.
  struct check {
    static constexpr bool reachable = shortcut_reaches_v<unnamed_t<Shortcut>, In, typename body::output>;
    using in = diagnostic::as<diagnostic::input_shape, In>;
    using body_out = diagnostic::as<diagnostic::body_shape, typename body::output>;
    using shortcut_out = diagnostic::as<diagnostic::shortcut_shape, typename shortcut::output>;
    static constexpr bool done = true;
    static_assert(!reachable || std::is_same_v<typename body::output, typename shortcut::output> ||
                      diagnostic::residual_shape_mismatch<body_out, shortcut_out>::value,
                  "residual: body and shortcut shapes differ - use option_a or option_b (or a zero_pad or "
                  "projection shortcut), or make the body keep its input's shape");
    static_assert(reachable || diagnostic::shortcut_cannot_reach_body_shape<in, body_out>::value,
                  "residual: no shortcut turns this input into the body's shape - zero_pad can only drop "
                  "pixels by a whole stride and add channels, projection only stride; change the body");
  };
  static_assert(check::done);

  using input = In;
  using output = typename body::output;
  static constexpr std::size_t shortcut_offset = body::storage;
  static constexpr std::size_t params = body::params + shortcut::params;
  static constexpr std::size_t storage = body::storage + shortcut::storage;
  static constexpr std::size_t macs = body::macs + shortcut::macs;
  static constexpr std::size_t kernels = body::kernels + shortcut::kernels + 1;  // + the add and relu
  // The body's output waits beside the shortcut's, which is written straight into y.
  static constexpr std::size_t workspace =
      output::size + (body::workspace > shortcut::workspace ? body::workspace : shortcut::workspace);

  template <class Arch>
  static constexpr std::size_t packed_floats() {
    return body::template packed_floats<Arch>() + shortcut::template packed_floats<Arch>();
  }

  static void forward(const float* p, const float* x, float* y, float* ws, std::size_t n) {
    combine(x, y, ws, n, [&]<bool IsShortcut>(const float* in, float* out, float* scratch) {
      using layer = std::conditional_t<IsShortcut, shortcut, body>;
      layer::forward(p + (IsShortcut ? shortcut_offset : 0), in, out, scratch, n);
    }, reference::add_relu);
  }
  template <class Arch>
  static void run(const float* packed, const float* x, float* y, float* ws, std::size_t n) {
    using join = simd::elementwise<Arch>;
    if constexpr (std::is_same_v<shortcut_layer, identity>) {
      // The shortcut is x itself: join it where it lies instead of copying it into y first.
      run_step<body>([&] { body::template run<Arch>(packed, x, ws, ws + n * output::size, n); });
      run_step([&] { join::add_relu(ws, x, y, n * output::size); });
    } else {
      combine(x, y, ws, n, [&]<bool IsShortcut>(const float* in, float* out, float* scratch) {
        using layer = std::conditional_t<IsShortcut, shortcut, body>;
        run_step<layer>([&] {
          layer::template run<Arch>(packed + (IsShortcut ? body::template packed_floats<Arch>() : 0), in, out, scratch, n);
        });
      }, [](const float* body_out, float* sum, std::size_t count) {
        run_step([&] { join::add_relu(body_out, sum, sum, count); });
      });
    }
  }
  template <class Arch>
  static void pack(const float* p, float* packed) {
    body::template pack<Arch>(p, packed);
    shortcut::template pack<Arch>(p + shortcut_offset, packed + body::template packed_floats<Arch>());
  }

  template <class Visitor>
  static void visit(Visitor& visitor, std::string_view path, std::size_t offset) {
    body::visit(visitor, body_path(path), offset);
    shortcut::visit(visitor, join_path(path, shortcut_name()), offset + shortcut_offset);
    visitor(path, layer_record{"residual", "relu(body + " + shortcut_kind() + ")", extents_of<output>(),
                               output::rank, 0, 0, offset, {}});
  }

 private:
  // The order both paths share: the body's output waits in the workspace beside the shortcut's,
  // which is written straight into y, then y = relu(body + shortcut).
  // apply.template operator()<IsShortcut>(in, out, scratch) runs one of the two paths;
  // join(body_out, y, count) is the reference's or a fast kernel's add_relu.
  template <class Apply, class Join>
  static void combine(const float* x, float* y, float* ws, std::size_t n, Apply&& apply, Join&& join) {
    float* const body_out = ws;
    float* const scratch = ws + n * output::size;
    apply.template operator()<false>(x, body_out, scratch);
    apply.template operator()<true>(x, y, scratch);
    join(body_out, y, n * output::size);
  }

 public:
  // The block's last step with Arch's kernel, y = relu(body_out + y) where y holds the shortcut's
  // output: public so that it can be measured on its own (ctnet/bench).
  template <class Arch>
  static void add(const float* body_out, float* y, std::size_t n) {
    simd::elementwise<Arch>::add_relu(body_out, y, y, n * output::size);
  }

  // Where the body's layers and the shortcut sit under the block's path; public so that walks
  // other than visit() name them the same way.
  static std::string body_path(std::string_view path) {
    if constexpr (layer_name<Body>::given) return join_path(path, layer_name<Body>::value);
    else if constexpr (detail::is_sequential<unnamed_t<Body>>) return std::string(path);
    else return join_path(path, "body");
  }
  static std::string_view shortcut_name() {
    if constexpr (layer_name<Shortcut>::given) return layer_name<Shortcut>::value;
    else return "downsample";
  }

 private:
  static std::string shortcut_kind() {
    if constexpr (std::is_same_v<shortcut_layer, identity>) return "identity";
    else if constexpr (shortcut::params == 0) return "zero_pad";
    else return "projection";
  }
};

template <class Body, class Shortcut, class In>
inline constexpr bool is_step_v<bind<residual<Body, Shortcut>, In>> = false;

}  // namespace ctnet
