// Where a forward pass spends its time: each step of the fused pass (a convolution with its batch
// norm and relu, a pool, a residual block's add, ...) timed inside the pass, as it runs there, with
// the caches and threads as the layers before left them, where ctnet/bench times each layer alone.
// model<Net>::profile takes one; this header names the steps and lays the result out.
#pragma once
#include <algorithm>
#include <cstddef>
#include <cstdio>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "../error.hpp"
#include "../fusion/fuse.hpp"
#include "../graph/network.hpp"
#include "../graph/steps.hpp"
#include "../graph/walk.hpp"

namespace ctnet {

struct step_time {
  // The layer of Net the step is named by: a fused convolution's conv ("layer1.0.conv1", with its
  // batch norm and relu; a block's last one with the add too), "fc" for the pooled head, a block's
  // path ("layer1.0") for an add of its own.
  std::string path;
  std::string kind;      // what the step runs: "conv_bn", "max_pool", "pooled_linear", "add", ...
  std::string detail;    // "3x3 pad 1, relu", "1x1, + shortcut, relu", ...
  std::size_t macs = 0;  // multiply-accumulates per sample
  double seconds = 0;    // median over the passes, for the whole batch
};

struct pass_profile {
  std::size_t batch = 0, passes = 0;
  std::vector<step_time> steps;  // in the order the pass runs them

  // The steps' medians summed: close to a pass's time, less the little between the steps.
  double seconds() const {
    double sum = 0;
    for (const auto& s : steps) sum += s.seconds;
    return sum;
  }

  // One line per step: its number, path, kind and detail, milliseconds, share of the sum, GFLOP/s.
  std::string table() const {
    const auto runs_of = [](const step_time& s) {
      return s.detail.empty() ? s.kind : s.kind + " " + s.detail;
    };
    const std::string summary = std::to_string(steps.size()) + " steps, batch " + std::to_string(batch) +
                                ", median of " + std::to_string(passes) + " passes";
    std::size_t path_width = 4, runs_width = summary.size();
    for (const auto& s : steps) {
      path_width = std::max(path_width, s.path.size());
      runs_width = std::max(runs_width, runs_of(s).size());
    }
    const auto left = [](std::string text, std::size_t width) {
      text.resize(std::max(width, text.size()), ' ');
      return text;
    };
    const auto right = [](const char* format, auto value) {
      char text[32];
      std::snprintf(text, sizeof text, format, value);
      return std::string(text);
    };
    std::string out = "step  " + left("path", path_width) + "  " + left("runs", runs_width) +
                      right("%10s", "ms") + right("%7s", "%") + right("%10s", "GFLOP/s") + "\n";
    const double total = seconds();
    for (std::size_t i = 0; i < steps.size(); ++i) {
      const step_time& s = steps[i];
      const double share = total > 0 ? 100 * s.seconds / total : 0.0;
      const double gflops =
          s.seconds > 0 ? 2.0 * static_cast<double>(s.macs * batch) / s.seconds * 1e-9 : 0.0;
      out += right("%4zu", i) + "  " + left(s.path, path_width) + "  " + left(runs_of(s), runs_width) +
             right("%10.3f", s.seconds * 1e3) + right("%7.1f", share) + right("%10.1f", gflops) + "\n";
    }
    out += "      " + left("sum", path_width) + "  " + left(summary, runs_width) +
           right("%10.3f", total * 1e3) + right("%7.1f", 100.0) + "\n";
    return out;
  }
};

// The steps of fuse_t<Net>'s pass, in the order it runs them (seconds 0), named after Net's layers
// (fusion drops the names): a step with weights by the layer of Net whose weights start where its
// own do (fusion keeps every weight where Net has it); one without by a layer of Net of its kind at
// the same place in the buffer, the first after the layer last named (two relus can share a place).
template <network_type Net>
std::vector<step_time> pass_steps() {
  struct layer {
    std::string path;
    std::string_view kind;
    std::size_t offset, storage;
  };
  std::vector<layer> layers;  // Net's, in the order it runs them
  walk<Net>([&]<class Bound>(std::type_identity<Bound>, const node_site& site) {
    layers.push_back({site.path, Bound::kind, site.offset, Bound::storage});
  });
  std::vector<step_time> steps;
  std::size_t after_last_named = 0;
  walk<fuse_t<Net>>([&]<class Bound>(std::type_identity<Bound>, const node_site& site) {
    step_time s{site.path, std::string(Bound::kind), {}, Bound::macs, 0.0};
    if constexpr (requires { Bound::detail(); }) s.detail = Bound::detail();
    const auto names = [&](const layer& l) {
      return l.offset == site.offset &&
             (Bound::storage > 0 ? l.storage > 0 : l.storage == 0 && l.kind == Bound::kind);
    };
    auto found = std::find_if(layers.begin() + static_cast<long>(after_last_named), layers.end(), names);
    if (found == layers.end()) found = std::find_if(layers.begin(), layers.end(), names);
    if (found != layers.end()) {
      s.path = found->path;
      after_last_named = static_cast<std::size_t>(found - layers.begin()) + 1;
    }
    steps.push_back(std::move(s));
  });
  return steps;
}

namespace detail {
// Collects one pass's step times.
struct step_recorder final : step_listener {
  std::vector<double> times;
  void step_done(double seconds) override { times.push_back(seconds); }
};

// This thread's passes report to `listener` while it lives (the one before is restored after,
// whether the pass returns or throws).
class listening_to {
 public:
  explicit listening_to(step_listener& listener) : previous_(active_step_listener) {
    active_step_listener = &listener;
  }
  ~listening_to() { active_step_listener = previous_; }
  listening_to(const listening_to&) = delete;
  listening_to& operator=(const listening_to&) = delete;

 private:
  step_listener* previous_;
};
}  // namespace detail

// Runs `pass` (one fused pass of fuse_t<Net> over a batch of `batch`) once untimed, then `passes`
// times listening to its steps: each step's median, named by pass_steps<Net>. Throws ctnet::error
// if a pass runs another number of steps than the walk names (a bug in ctnet).
template <network_type Net, class Pass>
pass_profile profile_passes(std::size_t batch, std::size_t passes, Pass&& pass) {
  pass_profile result{batch, passes, pass_steps<Net>()};
  std::vector<std::vector<double>> times(result.steps.size());
  detail::step_recorder recorder;
  for (std::size_t round = 0; round <= passes; ++round) {
    recorder.times.clear();
    {
      detail::listening_to listening(recorder);
      pass();
    }
    if (recorder.times.size() != times.size())
      throw error("ctnet::model::profile: the pass ran " + std::to_string(recorder.times.size()) +
                  " steps where walk() names " + std::to_string(times.size()) + " (a bug in ctnet)");
    if (round == 0) continue;  // warming up
    for (std::size_t i = 0; i < times.size(); ++i) times[i].push_back(recorder.times[i]);
  }
  for (std::size_t i = 0; i < times.size(); ++i) {
    const auto middle = times[i].begin() + static_cast<long>(times[i].size() / 2);
    std::nth_element(times[i].begin(), middle, times[i].end());
    result.steps[i].seconds = *middle;
  }
  return result;
}

}  // namespace ctnet
