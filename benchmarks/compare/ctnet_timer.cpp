// ctnet's side of `make compare` (benchmarks/compare/compare.py): times model::forward on the rows
// the peers run too, and prints each iteration's wall time in milliseconds.
//
//   ctnet_timer MODEL BATCH ITERATIONS [WARMUP]   one burst, then exit
//   ctnet_timer --profile MODEL BATCH PASSES      each step of the pass timed inside it (model::profile)
//   ctnet_timer --serve                           a worker: reads commands on stdin, one per line
//
// MODEL is cifar_resnet20, resnet18 or resnet50. Worker commands (the same protocol as the ONNX
// Runtime and PyTorch workers, so that the driver treats all engines alike):
//   run MODEL BATCH WARMUP SECONDS MIN_ITERATIONS
//       WARMUP untimed passes, then timed passes until SECONDS have passed and at least
//       MIN_ITERATIONS were done; answers "ok MS MS ...", one figure per pass
//   load MODEL BATCH
//       builds the model and runs it twice (packing the weights, sizing the workspace); answers "ok"
//   info   answers "ok" and a description of the build (architecture, threads)
//   quit   exits
// Errors answer "error MESSAGE" and the worker keeps serving. The thread count is CTNET_NUM_THREADS
// (the driver sets it to 2); weights are random but seeded: speed does not depend on their values.
#include <ctnet/ctnet.hpp>

#include <chrono>
#include <cstdlib>
#include <exception>
#include <functional>
#include <iostream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

namespace {

using clock_type = std::chrono::steady_clock;

// One model with an input batch ready; models are built on first use, so a worker asked only for
// the CIFAR rows never allocates resnet50's 100 MB.
class runner {
 public:
  virtual ~runner() = default;
  // Runs `count` forward passes on a batch of `batch`, calling `each(ms)` after every pass.
  virtual void run(std::size_t batch, std::size_t count, const std::function<bool(double)>& each) = 0;
  // model::profile's table for `passes` passes of a batch of `batch`.
  virtual std::string profile(std::size_t batch, std::size_t passes) = 0;
};

template <ctnet::network_type Net>
class model_runner final : public runner {
 public:
  void run(std::size_t batch, std::size_t count, const std::function<bool(double)>& each) override {
    prepare(batch);
    for (std::size_t i = 0; i < count; ++i) {
      const auto start = clock_type::now();
      model_.forward(x_, y_);
      const std::chrono::duration<double, std::milli> took = clock_type::now() - start;
      if (!each(took.count())) break;
    }
  }
  std::string profile(std::size_t batch, std::size_t passes) override {
    prepare(batch);
    return model_.profile(x_, passes).table();
  }

 private:
  // Inputs drawn once per batch size, outside the timed region; a fresh output buffer too.
  void prepare(std::size_t batch) {
    if (x_.size() == batch * model_.input_size) return;
    ctnet::random_stream random(batch);
    x_.resize(batch * model_.input_size);
    for (float& v : x_) v = static_cast<float>(random.normal());
    y_.assign(batch * model_.output_size, 0.0f);
  }

  ctnet::model<Net> model_{1};
  std::vector<float> x_, y_;
};

std::unique_ptr<runner> make_runner(const std::string& name) {
  if (name == "cifar_resnet20") return std::make_unique<model_runner<ctnet::models::cifar_resnet<20>>>();
  if (name == "resnet18") return std::make_unique<model_runner<ctnet::models::resnet18>>();
  if (name == "resnet50") return std::make_unique<model_runner<ctnet::models::resnet50>>();
  throw ctnet::error("unknown model \"" + name + "\" (expected cifar_resnet20, resnet18 or resnet50)");
}

runner& runner_for(const std::string& name) {
  static std::map<std::string, std::unique_ptr<runner>> runners;
  auto& slot = runners[name];
  if (!slot) slot = make_runner(name);
  return *slot;
}

// Digits only: std::stoul alone would accept "-1" (as the largest value) and "12abc" (as 12).
std::size_t whole(const std::string& text, const char* what, std::size_t least) {
  const bool digits = !text.empty() && text.size() < 10 && text.find_first_not_of("0123456789") == std::string::npos;
  const std::size_t value = digits ? std::stoul(text) : 0;
  if (!digits || value < least)
    throw ctnet::error(std::string(what) + " must be a whole number of at least " + std::to_string(least) + ", got \"" + text + "\"");
  return value;
}
std::size_t positive(const std::string& text, const char* what) { return whole(text, what, 1); }

// Warm-up passes, then timed passes until both the time and the count are reached.
std::vector<double> burst(const std::string& model, std::size_t batch, std::size_t warmup, double seconds,
                          std::size_t min_iterations) {
  runner& r = runner_for(model);
  if (warmup > 0) r.run(batch, warmup, [](double) { return true; });
  std::vector<double> times;
  const auto until = clock_type::now() + std::chrono::duration<double>(seconds);
  // An upper bound on the count that no realistic burst reaches, so that the loop always ends.
  r.run(batch, 1'000'000, [&](double ms) {
    times.push_back(ms);
    return times.size() < min_iterations || clock_type::now() < until;
  });
  return times;
}

std::string describe() {
  std::ostringstream out;
  out << "arch=" << ctnet::active_arch() << " threads=" << (std::getenv("CTNET_NUM_THREADS") ? std::getenv("CTNET_NUM_THREADS") : "default");
  return out.str();
}

int serve() {
  // Answers must reach the driver as soon as each line is written.
  std::cout << std::unitbuf;
  std::string line;
  while (std::getline(std::cin, line)) {
    std::istringstream words(line);
    std::vector<std::string> w;
    for (std::string s; words >> s;) w.push_back(s);
    if (w.empty()) continue;
    try {
      if (w[0] == "quit") return 0;
      if (w[0] == "info") {
        std::cout << "ok " << describe() << '\n';
      } else if (w[0] == "load" && w.size() == 3) {
        runner_for(w[1]).run(positive(w[2], "BATCH"), 2, [](double) { return true; });
        std::cout << "ok\n";
      } else if (w[0] == "run" && w.size() == 6) {
        const double seconds = std::stod(w[4]);
        if (!(seconds > 0)) throw ctnet::error("SECONDS must be positive, got \"" + w[4] + "\"");
        const auto times = burst(w[1], positive(w[2], "BATCH"), whole(w[3], "WARMUP", 0), seconds, positive(w[5], "MIN_ITERATIONS"));
        std::ostringstream out;
        out.precision(9);
        out << "ok";
        for (double t : times) out << ' ' << t;
        std::cout << out.str() << '\n';
      } else {
        std::cout << "error expected: run MODEL BATCH WARMUP SECONDS MIN_ITERATIONS | load MODEL BATCH | info | quit\n";
      }
    } catch (const std::exception& e) {
      std::cout << "error " << e.what() << '\n';
    }
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    const std::vector<std::string> args(argv + 1, argv + argc);
    if (args.size() == 1 && args[0] == "--serve") return serve();
    if (args.size() == 4 && args[0] == "--profile") {
      const std::size_t batch = positive(args[2], "BATCH"), passes = positive(args[3], "PASSES");
      const std::string table = runner_for(args[1]).profile(batch, passes);
      std::cout << "# " << args[1] << " batch " << batch << ", " << describe() << "\n" << table;
      return 0;
    }
    if (args.size() == 3 || args.size() == 4) {
      const std::size_t iterations = positive(args[2], "ITERATIONS");
      const std::size_t warmup = args.size() == 4 ? whole(args[3], "WARMUP", 0) : 1;
      runner& r = runner_for(args[0]);
      if (warmup > 0) r.run(positive(args[1], "BATCH"), warmup, [](double) { return true; });
      std::cout << "# " << args[0] << " batch " << args[1] << ", " << describe() << ", ms per pass\n";
      r.run(positive(args[1], "BATCH"), iterations, [](double ms) {
        std::cout << ms << '\n';
        return true;
      });
      return 0;
    }
    std::cerr << "usage: ctnet_timer MODEL BATCH ITERATIONS [WARMUP]\n"
                 "       ctnet_timer --profile MODEL BATCH PASSES\n"
                 "       ctnet_timer --serve\n"
                 "MODEL: cifar_resnet20, resnet18 or resnet50\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "ctnet_timer: " << e.what() << '\n';
    return 1;
  }
}
