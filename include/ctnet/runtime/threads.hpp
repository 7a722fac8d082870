// Intra-op parallelism: a small persistent pool that splits a range of independent work items
// (output columns of a convolution, images of a batch) among the cores. Each item is computed by
// exactly one thread in the same way whatever the thread count, so results are identical for any
// number of threads. A parallel_for started inside one of the pool's tasks runs inline, on that
// task's thread: a model hands whole images to the threads, and the kernels it runs for each image
// are then single-threaded without knowing why (concurrency() tells them, for their planning).
// Likewise a parallel_for from a second thread while the pool works for a first.
//
// The count comes from set_num_threads(), else CTNET_NUM_THREADS, else the hardware's.
#pragma once
#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <type_traits>
#include <vector>

#include "../error.hpp"

namespace ctnet {

class thread_pool {
 public:
  explicit thread_pool(std::size_t threads) {
    for (std::size_t i = 1; i < threads; ++i) workers_.emplace_back([this] { work(); });
  }
  ~thread_pool() {
    {
      std::lock_guard lock(mutex_);
      stopping_.store(true, std::memory_order_relaxed);
      generation_.fetch_add(1, std::memory_order_release);
    }
    wake_.notify_all();
    for (auto& w : workers_) w.join();
  }
  thread_pool(const thread_pool&) = delete;
  thread_pool& operator=(const thread_pool&) = delete;

  std::size_t size() const { return workers_.size() + 1; }

  // Threads a parallel_for called here shares its chunks among: size(), or 1 inside a pool task.
  std::size_t concurrency() const { return inside_task ? 1 : size(); }

  // Calls task(begin, end) on disjoint chunks covering [0, count), chunk boundaries at multiples
  // of `grain`; the calling thread takes part. Returns when all chunks are done. No allocation.
  template <class Task>
  void parallel_for(std::size_t count, std::size_t grain, Task&& task) {
    grain = std::max<std::size_t>(grain, 1);
    const std::size_t chunks = (count + grain - 1) / grain;
    if (concurrency() == 1 || chunks <= 1) {
      if (count > 0) task(std::size_t{0}, count);
      return;
    }
    // One caller at a time: a parallel_for from another thread while the pool works for someone
    // (a model per thread, each in its forward pass) runs on that thread alone. Its chunks come
    // out the same either way. (Not folded into the test above: with the lock in that condition,
    // g++ 12 inlined the task differently and raised a false -Waggressive-loop-optimizations.)
    std::unique_lock owner(owner_, std::try_to_lock);
    if (!owner.owns_lock()) return task(std::size_t{0}, count);
    // Published by the release increment of generation_, which workers acquire.
    task_ = {const_cast<void*>(static_cast<const void*>(&task)), [](void* t, std::size_t b, std::size_t e) {
               (*static_cast<std::remove_reference_t<Task>*>(t))(b, e);
             }};
    count_ = count;
    grain_ = grain;
    next_.store(0, std::memory_order_relaxed);
    busy_.store(workers_.size(), std::memory_order_relaxed);
    {
      std::lock_guard lock(mutex_);  // a worker about to sleep checks generation_ under it
      generation_.fetch_add(1, std::memory_order_release);
    }
    wake_.notify_all();
    run_chunks();
    if (!spin_until([&] { return busy_.load(std::memory_order_acquire) == 0; })) {
      std::unique_lock lock(mutex_);
      done_.wait(lock, [&] { return busy_.load(std::memory_order_acquire) == 0; });
    }
    task_ = {};
  }

 private:
  // A convolution of a small network at batch 1 lasts tens of microseconds, and waking a sleeping
  // thread through the kernel costs about as much: so both sides of a hand-over first spin for a
  // while (measured: cifar_resnet<20> at batch 1 spent a third of its time in hand-overs). After
  // that they sleep, so an idle pool costs nothing once 2 ms have passed.
  // Why 2 ms and not 100 µs: one thread's share of a layer often ends 100 µs before the other's (a
  // vCPU held up by the hypervisor, the share with a column tail), and a thread that slept then woke
  // late: in a virtual machine (2 vCPUs, Intel Xeon) one resnet50 product split in halves of 470 µs
  // took 1.1-1.3 ms a call in some spells, one thread running both halves, against 0.49 ms with the
  // longer spin; whole models at batch 1 took 0.96× (resnet50) and 0.965× (resnet18) of their time
  // (interleaved runs, medians); 10 ms measured the same as 2 ms.
  static constexpr auto spin_time = std::chrono::milliseconds(2);

  template <class Ready>
  static bool spin_until(Ready&& ready) {
    const auto deadline = std::chrono::steady_clock::now() + spin_time;
    for (;;) {
      for (int i = 0; i < 64; ++i) {
        if (ready()) return true;
        relax();
      }
      if (std::chrono::steady_clock::now() > deadline) return false;
      // With more threads than free cores, the thread being waited for may need this core.
      std::this_thread::yield();
    }
  }
  static void relax() {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    asm volatile("yield");
#endif
  }

  void run_chunks() {
    struct in_task {  // set for this thread while it runs chunks, even if a task throws
      in_task() { inside_task = true; }
      ~in_task() { inside_task = false; }
    } marked;
    for (;;) {
      const std::size_t begin = next_.fetch_add(grain_);
      if (begin >= count_) return;
      task_.call(task_.object, begin, std::min(count_, begin + grain_));
    }
  }
  // Whether this thread is running a pool task (any pool's: tasks never start another pool's work).
  static inline thread_local bool inside_task = false;
  void work() {
    std::size_t seen = 0;
    for (;;) {
      const auto fresh = [&] { return generation_.load(std::memory_order_acquire) != seen; };
      if (!spin_until(fresh)) {
        std::unique_lock lock(mutex_);
        wake_.wait(lock, fresh);
      }
      seen = generation_.load(std::memory_order_acquire);
      if (stopping_.load(std::memory_order_relaxed)) return;
      run_chunks();
      if (busy_.fetch_sub(1, std::memory_order_acq_rel) == 1) {
        std::lock_guard lock(mutex_);  // the caller may be between its check and its wait
        done_.notify_one();
      }
    }
  }

  std::vector<std::thread> workers_;
  std::mutex owner_;  // held by the thread whose parallel_for the workers are running
  std::mutex mutex_;
  std::condition_variable wake_, done_;
  std::atomic<std::size_t> generation_{0}, busy_{0};
  std::size_t count_ = 0, grain_ = 1;
  std::atomic<std::size_t> next_{0};
  struct task_ref {  // a type-erased reference to the caller's task, without allocating
    void* object = nullptr;
    void (*call)(void*, std::size_t, std::size_t) = nullptr;
  } task_;
  std::atomic<bool> stopping_{false};
};

namespace detail {
inline std::size_t default_thread_count() {
  if (const char* env = std::getenv("CTNET_NUM_THREADS")) {
    char* end = nullptr;
    const long n = std::strtol(env, &end, 10);
    if (end == env || *end != '\0' || n < 1 || n > 1024)
      throw error(std::string("CTNET_NUM_THREADS=\"") + env + "\": expected a whole number from 1 to 1024");
    return static_cast<std::size_t>(n);
  }
  return std::max<std::size_t>(1, std::thread::hardware_concurrency());
}
struct pool_holder {
  std::mutex mutex;
  std::unique_ptr<thread_pool> pool;
};
inline pool_holder& pool_storage() {
  static pool_holder holder;
  return holder;
}
}  // namespace detail

// The pool kernels use; created on first use.
inline thread_pool& threads() {
  auto& holder = detail::pool_storage();
  std::lock_guard lock(holder.mutex);
  if (!holder.pool) holder.pool = std::make_unique<thread_pool>(detail::default_thread_count());
  return *holder.pool;
}

inline std::size_t num_threads() { return threads().size(); }

// Sets the number of threads kernels use (1 = only the calling thread). Not to be called while a
// forward pass runs in another thread.
inline void set_num_threads(std::size_t n) {
  if (n < 1 || n > 1024) throw error("ctnet::set_num_threads(" + std::to_string(n) + "): expected 1 to 1024");
  auto& holder = detail::pool_storage();
  std::lock_guard lock(holder.mutex);
  holder.pool.reset();
  holder.pool = std::make_unique<thread_pool>(n);
}

}  // namespace ctnet
