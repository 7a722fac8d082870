// Microbenchmarking one's own model: every layer alone, and the whole forward pass. Run with e.g.
//   ./bench_my_model --benchmark_filter=tiny/layer1
// Build with -march=native to measure this machine's best kernels (CTNET_NATIVE_DEMO does).
#include <ctnet/bench/layers.hpp>
#include <ctnet/ctnet.hpp>

using namespace ctnet;

using tiny = network<shape<3, 32, 32>,
    named<"conv1", conv2d<16, 3>>, named<"bn1", batch_norm>, named<"relu", relu>,
    named<"layer1", sequential<basic_block<16>, basic_block<32, 2>>>,
    named<"pool", global_avg_pool>, named<"flatten", flatten>, named<"fc", linear<10>>>;

int main(int argc, char** argv) {
  bench::register_layers<tiny>("tiny");        // tiny/conv1, tiny/layer1.0.conv1, tiny/layer1.0.add, ...
  bench::register_model<tiny>("tiny", 64);     // tiny/forward/batch=64: images/s
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
}
