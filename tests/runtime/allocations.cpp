// After construction a forward pass allocates nothing: every global operator new is counted while
// a pass runs. (The library allocates only through operator new: aligned_buffer, std containers.)
#include <ctnet/ctnet.hpp>

#include <catch2/catch.hpp>

#include <atomic>
#include <cstdlib>
#include <new>
#include <vector>

#include "agreement.hpp"
#include "support.hpp"

namespace {
std::atomic<bool> counting{false};
std::atomic<std::size_t> allocations{0};

void* counted(std::size_t size, std::size_t alignment) {
  if (counting.load(std::memory_order_relaxed)) allocations.fetch_add(1, std::memory_order_relaxed);
  if (size == 0) size = 1;
  void* p = alignment > alignof(std::max_align_t) ? std::aligned_alloc(alignment, (size + alignment - 1) / alignment * alignment)
                                                  : std::malloc(size);
  if (!p) throw std::bad_alloc();
  return p;
}

// Allocations made by any thread (the kernels' pool included) while `f` runs.
template <class F>
std::size_t allocations_during(F&& f) {
  allocations = 0;
  counting = true;
  f();
  counting = false;
  return allocations.load();
}
}  // namespace

void* operator new(std::size_t size) { return counted(size, 0); }
void* operator new[](std::size_t size) { return counted(size, 0); }
void* operator new(std::size_t size, std::align_val_t a) { return counted(size, static_cast<std::size_t>(a)); }
void* operator new[](std::size_t size, std::align_val_t a) { return counted(size, static_cast<std::size_t>(a)); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
void operator delete(void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete(void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }

TEST_CASE("the hook counts allocations, so that zero means zero", "[runtime][allocations]") {
  CHECK(allocations_during([] {
          std::vector<float> v(100);
          asm volatile("" : : "r"(v.data()) : "memory");  // keep the compiler from eliding it
        }) == 1);
}

TEST_CASE("after construction a forward pass allocates nothing", "[runtime][allocations]") {
  using namespace ctnet;
  model<models::cifar_resnet<20>> m(3, 2);  // room for batches of up to 2
  const auto x = testing::random_values(2 * m.input_size, 4);
  std::vector<float> y(2 * m.output_size);
  CHECK(allocations_during([&] { m.forward(x, y); }) == 0);
  CHECK(allocations_during([&] { m.forward(std::span(x).first(m.input_size), std::span(y).first(m.output_size)); }) == 0);
  // Changed weights are packed again, in place.
  m.tensor("fc.bias")[0] = 1.0f;
  CHECK(allocations_during([&] { m.forward(x, y); }) == 0);
  // A larger batch than reserved grows the scratch memory once.
  const auto x3 = testing::random_values(3 * m.input_size, 5);
  std::vector<float> y3(3 * m.output_size);
  CHECK(allocations_during([&] { m.forward(x3, y3); }) > 0);
  CHECK(allocations_during([&] { m.forward(x3, y3); }) == 0);
}

TEST_CASE("a model runs in scratch memory the caller provides", "[runtime][allocations]") {
  using namespace ctnet;
  using net = models::cifar_resnet<20>;
  static_assert(model<net>::workspace_bytes(4) == 4 * model<net>::workspace_bytes());
  model<net> m(6, 0);
  const auto x = testing::random_values(3 * m.input_size, 7);
  std::vector<float> mine(3 * m.output_size), reference(mine.size());
  std::vector<float> workspace(model<net>::workspace_bytes(3) / sizeof(float));
  CHECK(allocations_during([&] { m.forward(x, mine, workspace); }) == 0);
  m.forward_reference(x, reference);
  CHECK(testing::relative_error(mine, reference) <= 1e-4);

  std::vector<float> small(workspace.size() - 1);
  REQUIRE_THROWS_WITH(m.forward(x, mine, small), Catch::Contains("workspace") && Catch::Contains("workspace_bytes(3)"));
}
