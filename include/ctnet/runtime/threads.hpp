// Intra-op parallelism: a small persistent pool that splits a range of independent work items
// (output columns of a convolution) among the cores. Each item is computed by exactly one thread
// in the same way whatever the thread count, so results are identical for any number of threads.
//
// The count comes from set_num_threads(), else CTNET_NUM_THREADS, else the hardware's.
#pragma once
#include <algorithm>
#include <atomic>
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
    for (std::size_t i = 1; i < threads; ++i) workers_.emplace_back([this, i] { work(i); });
  }
  ~thread_pool() {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
      ++generation_;
    }
    wake_.notify_all();
    for (auto& w : workers_) w.join();
  }
  thread_pool(const thread_pool&) = delete;
  thread_pool& operator=(const thread_pool&) = delete;

  std::size_t size() const { return workers_.size() + 1; }

  // Calls task(begin, end) on disjoint chunks covering [0, count), chunk boundaries at multiples
  // of `grain`; the calling thread takes part. Returns when all chunks are done. No allocation.
  template <class Task>
  void parallel_for(std::size_t count, std::size_t grain, Task&& task) {
    grain = std::max<std::size_t>(grain, 1);
    const std::size_t chunks = (count + grain - 1) / grain;
    if (size() == 1 || chunks <= 1) {
      if (count > 0) task(std::size_t{0}, count);
      return;
    }
    {
      std::lock_guard lock(mutex_);
      task_ = {const_cast<void*>(static_cast<const void*>(&task)), [](void* t, std::size_t b, std::size_t e) { (*static_cast<std::remove_reference_t<Task>*>(t))(b, e); }};
      count_ = count;
      grain_ = grain;
      next_.store(0);
      busy_ = workers_.size();
      ++generation_;
    }
    wake_.notify_all();
    run_chunks();
    std::unique_lock lock(mutex_);
    done_.wait(lock, [&] { return busy_ == 0; });
    task_ = {};
  }

 private:
  void run_chunks() {
    for (;;) {
      const std::size_t begin = next_.fetch_add(grain_);
      if (begin >= count_) return;
      task_.call(task_.object, begin, std::min(count_, begin + grain_));
    }
  }
  void work(std::size_t) {
    std::size_t seen = 0;
    for (;;) {
      {
        std::unique_lock lock(mutex_);
        wake_.wait(lock, [&] { return generation_ != seen; });
        seen = generation_;
        if (stopping_) return;
      }
      run_chunks();
      {
        std::lock_guard lock(mutex_);
        --busy_;
      }
      done_.notify_one();
    }
  }

  std::vector<std::thread> workers_;
  std::mutex mutex_;
  std::condition_variable wake_, done_;
  std::size_t generation_ = 0, busy_ = 0, count_ = 0, grain_ = 1;
  std::atomic<std::size_t> next_{0};
  struct task_ref {  // a type-erased reference to the caller's task, without allocating
    void* object = nullptr;
    void (*call)(void*, std::size_t, std::size_t) = nullptr;
  } task_;
  bool stopping_ = false;
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
