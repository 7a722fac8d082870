// How the threads share one matrix product C[M][N] = A·B: one part per thread, computed by that
// thread alone. Columns come first (each part then packs only its own columns of B and streams A
// once); where there are too few (a 7×7 or 14×14 output at batch 1), rows. Splitting on columns
// alone left one thread idle on resnet50's layer4 (49 columns: one chunk) and made the two threads'
// shares of layer2 (784 columns) 512 against 272.
//
// Band edges fall on multiples of the packed panel height (rows) and of a column multiple the caller
// chooses. Where B is a matrix, the micro-kernel's width: a band of whole tiles packs no column tail
// (edges on 16-float multiples made resnet50's 784-column layer2 run four tails instead of one).
// Where B is a convolution's patches read from its input (same_patches), a vector's width: a short
// tile costs it no more than a whole one, read in place or packed (conv2d.hpp).
//
// Split on columns, every part gets the same number of whole multiples, and the columns left over
// (the short tile, and whole multiples that do not divide among the parts) are shared by rows: part
// i also computes its band of panels of those columns (its `rest`), the i-th of count() bands, in a
// grid (rows and columns split, with 3 or more threads) as with columns alone. Edges on multiples
// alone left the last part the short tile and the odd multiple: on resnet50's 784 columns, 8 tiles
// against 8 and a short one, which is slower per column (fewer accumulators per load of A); timed
// inside the pass, those layers' second part ran 10-16% longer than the first, and the layer waited
// for it.
//
// The partition does not change how any element is computed, so results do not depend on the
// thread count.
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

  // Rows [row_begin, row_end) × columns [column_begin, column_end) of C; empty where either is.
  struct block {
    std::size_t row_begin, row_end, column_begin, column_end;
    bool empty() const { return row_begin >= row_end || column_begin >= column_end; }
  };
  struct part {
    block band;  // a band of columns (all of the part's rows)
    block rest;  // the part's rows of the columns left over (split on columns only), else empty
  };
  part operator[](std::size_t i) const {
    const std::size_t panels = (rows + row_multiple - 1) / row_multiple;
    const std::size_t r = i / column_parts, c = i % column_parts;
    const auto row_edge = [&](std::size_t j, std::size_t parts) {
      return std::min(rows, edge(j, parts, panels) * row_multiple);
    };
    part p{{row_edge(r, row_parts), row_edge(r + 1, row_parts), 0, columns}, {0, 0, 0, 0}};
    if (column_parts == 1) return p;
    // Column bands of equal whole multiples (at least one: column_parts ≤ columns / column_multiple);
    // the columns left over go to all parts by rows, in a grid too (more threads than bands).
    const std::size_t width = columns / column_multiple / column_parts * column_multiple;
    p.band.column_begin = c * width;
    p.band.column_end = (c + 1) * width;
    p.rest = {row_edge(i, count()), row_edge(i + 1, count()), column_parts * width, columns};
    return p;
  }

  // f(block) for each block of part i that holds any of C: its band, then its rest.
  template <class F>
  void for_each_block(std::size_t i, F&& f) const {
    const part p = (*this)[i];
    for (const block& b : {p.band, p.rest})
      if (!b.empty()) f(b);
  }

 private:
  // The i-th of `parts` even boundaries of [0, total).
  static std::size_t edge(std::size_t i, std::size_t parts, std::size_t total) { return i * total / parts; }
};

}  // namespace ctnet::simd
