// How the threads share one matrix product C[M][N] = A·B: a grid of parts, each a band of rows times
// a band of columns, computed by one thread. Columns come first (each part then packs only its own
// columns of B and streams A once); where there are too few (a 7×7 or 14×14 output at batch 1), rows.
// Splitting on columns alone left one thread idle on resnet50's layer4 (49 columns: one chunk) and
// made the two threads' shares of layer2 (784 columns) 512 against 272.
//
// Band edges fall on multiples of the packed panel height (rows) and of a column multiple the caller
// chooses, and are spread evenly. Where B is a matrix, the micro-kernel's width: a band of whole tiles
// packs no column tail (edges on 16-float multiples made resnet50's 784-column layer2 run four tails
// instead of one). Where B is a convolution's patches read from its input (same_patches), a vector's
// width: a short tile costs it no more than a whole one, read in place or packed, and bands come out
// more even (conv2d.hpp). The part count does not change how any element is computed, so
// results do not depend on the thread count.
#pragma once
#include <algorithm>
#include <cstddef>

namespace ctnet::simd {

struct product_partition {
  std::size_t rows, columns;    // of C
  std::size_t row_multiple;     // packed panel height
  std::size_t column_multiple;  // band edges on multiples of it (see above)
  std::size_t row_parts = 1, column_parts = 1;

  // At least this many columns per part keeps the cost of streaming A per part small.
  static constexpr std::size_t min_part_columns = 128;

  // One part per thread. Two (so that a thread starting late would not hold the others up) were
  // 4-6% slower on resnet18, resnet50 and cifar_resnet<20> at batch 1: parts that share rows of B
  // each pack it, and smaller parts stream A more often for less work.
  static product_partition for_threads(std::size_t rows, std::size_t columns, std::size_t row_multiple,
                                       std::size_t column_multiple, std::size_t threads) {
    product_partition p{rows, columns, row_multiple, column_multiple};
    if (threads <= 1) return p;
    const std::size_t wanted = threads;
    p.column_parts =
        std::clamp<std::size_t>(columns / std::max(min_part_columns, column_multiple), 1, wanted);
    const std::size_t panels = (rows + row_multiple - 1) / row_multiple;
    p.row_parts = std::clamp<std::size_t>((wanted + p.column_parts - 1) / p.column_parts, 1,
                                          std::max<std::size_t>(panels, 1));
    return p;
  }

  std::size_t count() const { return row_parts * column_parts; }

  struct part {
    std::size_t row_begin, row_end, column_begin, column_end;
  };
  part operator[](std::size_t i) const {
    const std::size_t panels = (rows + row_multiple - 1) / row_multiple;
    const std::size_t r = i / column_parts, c = i % column_parts;
    return {std::min(rows, edge(r, row_parts, panels) * row_multiple),
            std::min(rows, edge(r + 1, row_parts, panels) * row_multiple),
            c == 0 ? 0 : edge(c, column_parts, columns) / column_multiple * column_multiple,
            c + 1 == column_parts ? columns
                                  : edge(c + 1, column_parts, columns) / column_multiple * column_multiple};
  }

 private:
  // The i-th of `parts` even boundaries of [0, total).
  static std::size_t edge(std::size_t i, std::size_t parts, std::size_t total) { return i * total / parts; }
};

}  // namespace ctnet::simd
