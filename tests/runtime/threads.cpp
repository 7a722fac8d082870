// thread_pool: parallel_for covers its range once, and runs on its caller alone inside one of the
// pool's tasks or while the pool works for another thread.
#include <ctnet/ctnet.hpp>

#include <catch2/catch.hpp>

#include <atomic>
#include <cstddef>
#include <thread>
#include <vector>

namespace {
using ctnet::thread_pool;
}  // namespace

TEST_CASE("parallel_for calls every item exactly once, in chunks on multiples of the grain", "[threads]") {
  thread_pool pool(3);
  REQUIRE(pool.size() == 3);
  REQUIRE(pool.concurrency() == 3);
  for (const std::size_t count : {0, 1, 7, 100}) {
    std::vector<std::atomic<int>> calls(count);
    std::atomic<bool> misaligned{false};
    pool.parallel_for(count, 4, [&](std::size_t begin, std::size_t end) {
      if (begin % 4 != 0 || end <= begin || end > count || (end - begin > 4)) misaligned = true;
      for (std::size_t i = begin; i < end; ++i) ++calls[i];
    });
    CHECK_FALSE(misaligned);
    for (std::size_t i = 0; i < count; ++i) CHECK(calls[i] == 1);
  }
}

// A model gives each thread whole images, and the kernels it runs for them start parallel_fors of
// their own: those must run on the task's thread (the pool is busy) and see one thread.
TEST_CASE("a parallel_for inside a pool task runs inline and sees a concurrency of one", "[threads]") {
  thread_pool pool(2);
  constexpr std::size_t outer = 6, inner = 50;
  std::vector<std::atomic<int>> calls(outer * inner);
  std::atomic<bool> left_thread{false}, saw_more{false};
  pool.parallel_for(outer, 1, [&](std::size_t begin, std::size_t end) {
    if (pool.concurrency() != 1) saw_more = true;
    const auto self = std::this_thread::get_id();
    for (std::size_t o = begin; o < end; ++o)
      pool.parallel_for(inner, 3, [&](std::size_t b, std::size_t e) {
        if (std::this_thread::get_id() != self) left_thread = true;
        for (std::size_t i = b; i < e; ++i) ++calls[o * inner + i];
      });
  });
  CHECK_FALSE(saw_more);
  CHECK_FALSE(left_thread);
  for (const auto& c : calls) CHECK(c == 1);
  REQUIRE(pool.concurrency() == 2);  // outside a task again
}

// A model per thread, each running forward at once, share the one pool: a second caller must not
// take over the workers the first is using (it runs its chunks itself).
TEST_CASE("parallel_for called from several threads at once covers each caller's items once", "[threads]") {
  thread_pool pool(2);
  constexpr std::size_t callers = 3, rounds = 300, count = 64;
  std::vector<std::vector<std::atomic<int>>> calls(callers);
  for (auto& c : calls) c = std::vector<std::atomic<int>>(count);
  std::vector<std::thread> threads;
  for (std::size_t t = 0; t < callers; ++t)
    threads.emplace_back([&, t] {
      for (std::size_t r = 0; r < rounds; ++r)
        pool.parallel_for(count, 1, [&](std::size_t begin, std::size_t end) {
          for (std::size_t i = begin; i < end; ++i) ++calls[t][i];
        });
    });
  for (auto& t : threads) t.join();
  for (const auto& c : calls)
    for (const auto& n : c) CHECK(n == static_cast<int>(rounds));
}
