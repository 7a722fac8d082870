// The steps of a fast forward pass: the nodes that run kernels of their own (a convolution with its
// batch norm and relu, a pool, the add that ends a residual block, ...), as opposed to the sequences
// and residual blocks, which only run their parts. A profile (runtime/profile.hpp) times each step
// where the pass runs it; walk() reports the steps in the order the pass runs them.
#pragma once
#include <chrono>

namespace ctnet {

// Hears the wall time of each step of a pass, in the order the pass runs them.
class step_listener {
 public:
  virtual void step_done(double seconds) = 0;

 protected:
  ~step_listener() = default;
};

namespace detail {
// The listener of the pass running on this thread while a profile is taken, null otherwise (one
// test per step, about fifty per resnet50 pass). One variable for the whole program, kernel
// translation units included: the steps of every architecture report to it.
inline thread_local step_listener* active_step_listener = nullptr;
}  // namespace detail

// Whether a bound node is a step; sequences, residual blocks and the identity shortcut (which runs
// nothing of its own) say they are not.
template <class Bound>
inline constexpr bool is_step_v = true;

// Runs f, the node Bound of a pass (or, with Bound left void, a step that is no node of its own:
// a residual block's add), timed while a listener is active.
template <class Bound = void, class F>
inline void run_step(F&& f) {
  if constexpr (!is_step_v<Bound>) {
    f();
  } else {
    step_listener* const listener = detail::active_step_listener;
    if (listener == nullptr) [[likely]] {
      f();
      return;
    }
    const auto start = std::chrono::steady_clock::now();
    f();
    listener->step_done(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
}

}  // namespace ctnet
