// How a matrix product is shared among threads: every element of C in exactly one part, band edges
// on panel and tile boundaries, and enough parts to keep every thread busy.
#include <ctnet/kernels/simd/product_partition.hpp>

#include <catch2/catch.hpp>

#include <algorithm>
#include <cstddef>
#include <vector>

using ctnet::simd::product_partition;

TEST_CASE("a product partition covers C exactly once, on aligned edges", "[kernels][simd][threads]") {
  for (std::size_t threads : {1, 2, 3, 8})
    for (std::size_t rows : {1, 7, 8, 13, 64, 512, 2048})
      for (std::size_t columns : {1, 49, 196, 255, 256, 784, 1024, 3136}) {
        INFO(rows << " × " << columns << " on " << threads << " threads");
        const auto parts = product_partition::for_threads(rows, columns, 8, 48, threads);
        std::vector<int> covered(rows * columns, 0);
        for (std::size_t i = 0; i < parts.count(); ++i) {
          const auto p = parts[i];
          REQUIRE(p.row_begin < p.row_end);
          REQUIRE(p.column_begin < p.column_end);
          REQUIRE(p.row_end <= rows);
          REQUIRE(p.column_end <= columns);
          REQUIRE(p.row_begin % 8 == 0);
          REQUIRE(p.column_begin % 48 == 0);
          for (std::size_t r = p.row_begin; r < p.row_end; ++r)
            for (std::size_t c = p.column_begin; c < p.column_end; ++c) ++covered[r * columns + c];
        }
        // Counted, not asserted element by element: a REQUIRE per element (millions here) took
        // most of a minute under QEMU.
        REQUIRE(static_cast<std::size_t>(std::count(covered.begin(), covered.end(), 1)) == covered.size());
        if (threads == 1) REQUIRE(parts.count() == 1);
        // A part per thread where C has enough panels or column bands for them, and no more.
        const std::size_t panels = (rows + 7) / 8;
        if (threads > 1 && (panels >= threads || columns >= threads * 128)) REQUIRE(parts.count() >= threads);
        if (threads > 1) REQUIRE(parts.count() < 2 * threads);
      }
}
