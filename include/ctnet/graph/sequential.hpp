// sequential<Layers...>: layers applied one after another, nested to any depth.
// Shapes flow through a fold expression rather than recursion, so a sequence of hundreds of layers
// costs no deeper instantiation than a short one, and an error names the offending layer directly.
#pragma once
#include <algorithm>
#include <array>
#include <cstddef>
#include <string>
#include <type_traits>
#include <utility>

#include "named.hpp"
#include "../diagnostics.hpp"
#include "node.hpp"
#include "steps.hpp"
#include "type_list.hpp"

namespace ctnet {

template <class... Layers>
struct sequential {};

namespace detail {
// The state of a shape fold: the shape so far and the input shape of every layer before it.
template <class Current, class Inputs>
struct flow {
  using current = Current;
  using inputs = Inputs;
};
template <class Current, class... Inputs, class Layer>
auto operator>>(flow<Current, type_list<Inputs...>>, std::type_identity<Layer>)
    -> flow<typename bind<unnamed_t<Layer>, Current>::output, type_list<Inputs..., Current>>;
}  // namespace detail

template <class... Layers, class In>
struct bind<sequential<Layers...>, In> {
 private:
  // The fold is spelled here, not in an alias template, so that a layer's error is reported
  // through one line fewer per sequential (g++: "required by substitution of ... flow_through").
  using flow = decltype((detail::flow<In, type_list<>>{} >> ... >> std::type_identity<Layers>{}));
  static constexpr std::size_t count = sizeof...(Layers);

 public:
  template <std::size_t I>
  using child = bind<unnamed_t<type_at<I, type_list<Layers...>>>, type_at<I, typename flow::inputs>>;

  using input = In;
  using output = typename flow::current;

 private:
  template <class F>
  static constexpr auto each_child(F f) {
    return [&]<std::size_t... I>(std::index_sequence<I...>) { return f.template operator()<I...>(); }(
               std::index_sequence_for<Layers...>{});
  }
  // Largest activation handed from one child to the next: the ping-pong buffers' size.
  static constexpr std::size_t handover = each_child([]<std::size_t... I>() {
    return std::max({std::size_t{0}, (I + 1 < count ? child<I>::output::size : 0)...});
  });
  static constexpr std::size_t buffers = count > 2 ? 2 : count - (count > 0);

 public:
  // Where each child's block starts, relative to this sequential's.
  static constexpr std::array<std::size_t, count + 1> offsets = each_child([]<std::size_t... I>() {
    std::array<std::size_t, count + 1> at{};
    ((at[I + 1] = at[I] + child<I>::storage), ...);
    return at;
  });
  static constexpr std::size_t params = each_child([]<std::size_t... I>() { return (std::size_t{0} + ... + child<I>::params); });
  static constexpr std::size_t macs = each_child([]<std::size_t... I>() { return (std::size_t{0} + ... + child<I>::macs); });
  static constexpr std::size_t kernels =
      each_child([]<std::size_t... I>() { return (std::size_t{0} + ... + child<I>::kernels); });
  static constexpr std::size_t storage = offsets[count];
  static constexpr std::size_t workspace = buffers * handover + each_child([]<std::size_t... I>() {
    return std::max({std::size_t{0}, child<I>::workspace...});
  });

  template <std::size_t I>
  static constexpr std::string_view given_name() {
    using naming = layer_name<type_at<I, type_list<Layers...>>>;
    if constexpr (naming::given) return naming::value;
    else return {};
  }

  // Two siblings with weights under one name would make their tensors' names ambiguous.
  // (Stateless layers may share one: torchvision's blocks call each of their relus "relu".)
  struct check {
    static constexpr bool done = true;
    static constexpr std::size_t duplicate = each_child([]<std::size_t... I>() {
      const std::array<std::string_view, count> names{
          (layer_name<type_at<I, type_list<Layers...>>>::given && child<I>::storage > 0 ? given_name<I>() : "")...};
      for (std::size_t i = 0; i < count; ++i)
        for (std::size_t j = i + 1; j < count; ++j)
          if (!names[i].empty() && names[i] == names[j]) return j;
      return std::size_t{0};
    });
    static_assert(duplicate == 0 ||
                      diagnostic::duplicate_layer_name<type_at<duplicate, type_list<Layers..., void>>>::value,
                  "sequential: two layers with weights have the same name - give each its own named<...>");
  };
  static_assert(check::done);

  // The execution layout's blocks, laid out as `offsets` lays out the PyTorch one.
  template <class Arch>
  static constexpr std::array<std::size_t, count + 1> packed_offsets = each_child([]<std::size_t... I>() {
    std::array<std::size_t, count + 1> at{};
    ((at[I + 1] = at[I] + child<I>::template packed_floats<Arch>()), ...);
    return at;
  });
  template <class Arch>
  static constexpr std::size_t packed_floats() { return packed_offsets<Arch>[count]; }

  static void forward(const float* p, const float* x, float* y, float* ws, std::size_t n) {
    chain(x, y, ws, n, [&]<std::size_t I>(const float* in, float* out, float* scratch) {
      child<I>::forward(p + offsets[I], in, out, scratch, n);
    });
  }
  template <class Arch>
  static void run(const float* packed, const float* x, float* y, float* ws, std::size_t n) {
    chain(x, y, ws, n, [&]<std::size_t I>(const float* in, float* out, float* scratch) {
      run_step<child<I>>([&] { child<I>::template run<Arch>(packed + packed_offsets<Arch>[I], in, out, scratch, n); });
    });
  }
  template <class Arch>
  static void pack(const float* p, float* packed) {
    each_child([&]<std::size_t... I>() {
      (child<I>::template pack<Arch>(p + offsets[I], packed + packed_offsets<Arch>[I]), ...);
      return 0;
    });
  }

  // The path segment of child I: its own name, or its position as nn.Sequential does. (Public so
  // that walks other than visit() name the layers the same way.)
  template <std::size_t I>
  static std::string name_of() {
    using naming = layer_name<type_at<I, type_list<Layers...>>>;
    if constexpr (naming::given) return std::string(naming::value);
    else return std::to_string(I);
  }

  template <class Visitor>
  static void visit(Visitor& visitor, std::string_view path, std::size_t offset) {
    each_child([&]<std::size_t... I>() {
      (child<I>::visit(visitor, join_path(path, name_of<I>()), offset + offsets[I]), ...);
      return 0;
    });
  }

 private:
  // Runs step<I>(in, out, scratch) for each child in turn: the first reads x, the last writes y,
  // and the ones between hand over through two ping-pong buffers at the start of ws.
  template <class Step>
  static void chain(const float* x, float* y, float* ws, std::size_t n, Step step) {
    if constexpr (count == 0) {
      std::copy_n(x, n * input::size, y);
    } else {
      float* const ping_pong[2] = {ws, ws + n * handover};
      float* const scratch = ws + buffers * n * handover;
      each_child([&]<std::size_t... I>() {
        (step.template operator()<I>(I == 0 ? x : ping_pong[(I + 1) % 2], I + 1 == count ? y : ping_pong[I % 2],
                                     scratch),
         ...);
        return 0;
      });
    }
  }

};

template <class... Layers, class In>
inline constexpr bool is_step_v<bind<sequential<Layers...>, In>> = false;

}  // namespace ctnet
