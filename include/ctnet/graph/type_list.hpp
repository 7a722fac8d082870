// Constant-depth type-list indexing. Deep networks have sequences of hundreds of layers
// (cifar_resnet<1202> has 200 blocks in one stage); recursive std::tuple_element would nest
// that many instantiations, while overload resolution against indexed bases picks in one step.
#pragma once
#include <cstddef>
#include <utility>

namespace ctnet {

template <class... Ts>
struct type_list {
  static constexpr std::size_t size = sizeof...(Ts);
};

namespace detail {
template <std::size_t I, class T>
struct indexed {
  using type = T;
};
template <class Indices, class... Ts>
struct indexer;
template <std::size_t... Is, class... Ts>
struct indexer<std::index_sequence<Is...>, Ts...> : indexed<Is, Ts>... {};
template <std::size_t I, class T>
indexed<I, T> select(indexed<I, T>);

template <std::size_t I, class List>
struct type_at_impl;
template <std::size_t I, class... Ts>
struct type_at_impl<I, type_list<Ts...>> {
  using type = typename decltype(select<I>(indexer<std::index_sequence_for<Ts...>, Ts...>{}))::type;
};
}  // namespace detail

template <std::size_t I, class List>
using type_at = typename detail::type_at_impl<I, List>::type;

}  // namespace ctnet
