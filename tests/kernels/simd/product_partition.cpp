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
        const auto cover = [&](const product_partition::block& b) {
          REQUIRE(b.row_end <= rows);
          REQUIRE(b.column_end <= columns);
          REQUIRE(b.row_begin % 8 == 0);
          REQUIRE(b.column_begin % 48 == 0);
          for (std::size_t r = b.row_begin; r < b.row_end; ++r)
            for (std::size_t c = b.column_begin; c < b.column_end; ++c) ++covered[r * columns + c];
        };
        for (std::size_t i = 0; i < parts.count(); ++i) {
          REQUIRE_FALSE(parts[i].band.empty());
          parts.for_each_block(i, cover);
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

// Split on columns, the parts get equal bands of whole tiles and share the short tile and any odd
// whole ones by rows: no part is left the short tile alone (it is slower per column).
TEST_CASE("a product split on columns gives every part the same work", "[kernels][simd][threads]") {
  for (std::size_t threads : {2, 3})
    for (std::size_t rows : {64, 256, 512})
      for (std::size_t columns : {784, 1000, 3136}) {
        INFO(rows << " × " << columns << " on " << threads << " threads");
        const auto parts = product_partition::for_threads(rows, columns, 8, 48, threads);
        REQUIRE(parts.count() == threads);
        const auto area = [](const product_partition::block& b) {
          return b.empty() ? 0 : (b.row_end - b.row_begin) * (b.column_end - b.column_begin);
        };
        const std::size_t width = parts[0].band.column_end - parts[0].band.column_begin;
        REQUIRE(width == 48 * (columns / 48 / threads));
        std::size_t most = 0, least = rows * columns;
        for (std::size_t i = 0; i < threads; ++i) {
          const auto p = parts[i];
          REQUIRE(p.band.row_begin == 0);
          REQUIRE(p.band.row_end == rows);
          REQUIRE(p.band.column_end - p.band.column_begin == width);
          most = std::max(most, area(p.band) + area(p.rest));
          least = std::min(least, area(p.band) + area(p.rest));
        }
        // What is left over is shared in whole panels: the parts differ by at most one panel of it.
        REQUIRE(most - least <= 8 * (columns - threads * width));
      }
}

// With more threads than column bands the parts form a grid (row bands × column bands); the columns
// left over are shared by rows among all the parts there too, not left to the last column band.
TEST_CASE("a product split as a grid gives every part the same work", "[kernels][simd][threads]") {
  for (std::size_t threads : {4, 6})
    for (std::size_t rows : {64, 512})
      for (std::size_t columns : {300, 380}) {
        INFO(rows << " × " << columns << " on " << threads << " threads");
        const auto parts = product_partition::for_threads(rows, columns, 8, 48, threads);
        REQUIRE(parts.row_parts > 1);
        REQUIRE(parts.column_parts == 2);
        const std::size_t width = 48 * (columns / 48 / 2), left_over = columns - 2 * width;
        const auto area = [](const product_partition::block& b) {
          return b.empty() ? 0 : (b.row_end - b.row_begin) * (b.column_end - b.column_begin);
        };
        std::size_t most = 0, least = rows * columns;
        for (std::size_t i = 0; i < parts.count(); ++i) {
          const auto p = parts[i];
          REQUIRE(p.band.column_end - p.band.column_begin == width);
          most = std::max(most, area(p.band) + area(p.rest));
          least = std::min(least, area(p.band) + area(p.rest));
        }
        // The leftover's row bands differ by at most a panel; the parts' own row bands too, where
        // the panels do not divide among them.
        const bool rows_divide = (rows / 8) % parts.row_parts == 0;
        REQUIRE(most - least <= (rows_divide ? 0 : 8 * width) + 8 * left_over);
      }
}
