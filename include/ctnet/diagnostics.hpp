// Named diagnostics. A C++20 static_assert message must be a string literal, so the shapes that
// explain an error travel as template arguments of a type the compiler prints with the failed
// condition:  static_assert(ok || residual_shape_mismatch<body_shape<32,16,16>,
//                                                        shortcut_shape<16,32,32>>::value, "...");
// Each diagnostic is always false; it exists only to be printed.
//
// A check sits in a small class of its own, `check` with `done` declared before the assertion,
// and the layer asserts check::done:
//   struct check { static constexpr bool done = true; static_assert(ok || diagnostic::...); };
//   static_assert(check::done);
// because clang stops instantiating a class at its first failed static_assert and marks it
// invalid: had the layer itself failed, every later use of it (its output shape, the next layer,
// the user's alias) would add errors of its own. The check class is invalid instead; `done` was
// declared before the failure, so the layer's own static_assert holds and one error is reported.
#pragma once
#include <cstddef>

#include "shape.hpp"

namespace ctnet::diagnostic {

template <std::size_t... Extents>
struct input_shape {};
template <std::size_t... Extents>
struct body_shape {};
template <std::size_t... Extents>
struct shortcut_shape {};
template <std::size_t K>
struct kernel {};
template <std::size_t S>
struct stride {};
template <std::size_t P>
struct padding {};
template <std::size_t D>
struct depth {};

#define CTNET_DIAGNOSTIC(name)                \
  template <class...>                         \
  struct name {                               \
    static constexpr bool value = false;      \
  }

CTNET_DIAGNOSTIC(residual_shape_mismatch);
CTNET_DIAGNOSTIC(shortcut_cannot_reach_body_shape);
CTNET_DIAGNOSTIC(conv_output_empty);
CTNET_DIAGNOSTIC(pool_output_empty);
CTNET_DIAGNOSTIC(layer_needs_feature_map);
CTNET_DIAGNOSTIC(linear_needs_flattened_input);
CTNET_DIAGNOSTIC(cifar_depth_not_6n_plus_2);
CTNET_DIAGNOSTIC(invalid_layer_arguments);
CTNET_DIAGNOSTIC(duplicate_layer_name);
#undef CTNET_DIAGNOSTIC

// shape<E...> spelled as input_shape<E...>, body_shape<E...>, ... in a diagnostic.
template <template <std::size_t...> class Tag, class Shape>
struct as_tag;
template <template <std::size_t...> class Tag, std::size_t... E>
struct as_tag<Tag, shape<E...>> {
  using type = Tag<E...>;
};
template <template <std::size_t...> class Tag, class Shape>
using as = typename as_tag<Tag, Shape>::type;

}  // namespace ctnet::diagnostic
