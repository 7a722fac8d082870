// Sharing a memory-bound kernel's independent items (planes, samples, vector-sized chunks) among
// the thread pool, but only where there is enough work: waking the pool costs microseconds, about
// what one core spends streaming 64K floats, so smaller tensors run on the calling thread alone.
// Which thread computes an item never changes how it is computed, so results do not depend on
// the thread count.
#pragma once
#include <cstddef>

#include "../../graph/node.hpp"
#include "../../runtime/threads.hpp"

namespace ctnet::simd {

// Floats a kernel must touch before it is worth waking the pool.
inline constexpr std::size_t parallel_floats = std::size_t{1} << 16;

// Calls task(begin, end) on chunks covering [0, items); each item stands for floats_per_item
// floats of work. Chunk boundaries fall on multiples of `multiple` (e.g. a SIMD width).
template <class Task>
void split(std::size_t items, std::size_t floats_per_item, std::size_t multiple, Task&& task) {
  if (items == 0) return;
  if (items * floats_per_item < parallel_floats) {
    task(std::size_t{0}, items);
    return;
  }
  auto& pool = threads();
  // A few chunks per thread balance the load without making chunks too small to stream.
  pool.parallel_for(items, round_up(items / (4 * pool.concurrency()) + 1, multiple), task);
}

}  // namespace ctnet::simd
