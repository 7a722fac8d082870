// A zero-initialised float array on a 64-byte boundary (a cache line; a full AVX-512 register).
#pragma once
#include <algorithm>
#include <cstddef>
#include <memory>
#include <new>
#include <span>

namespace ctnet {

inline constexpr std::size_t buffer_alignment = 64;

class aligned_buffer {
 public:
  aligned_buffer() = default;
  explicit aligned_buffer(std::size_t count) : data_(allocate(count)), size_(count) {
    std::fill_n(data_.get(), count, 0.0f);
  }
  aligned_buffer(const aligned_buffer& other) : data_(allocate(other.size_)), size_(other.size_) {
    std::copy_n(other.data_.get(), size_, data_.get());
  }
  aligned_buffer& operator=(const aligned_buffer& other) {
    if (this != &other) *this = aligned_buffer(other);
    return *this;
  }
  aligned_buffer(aligned_buffer&&) noexcept = default;
  aligned_buffer& operator=(aligned_buffer&&) noexcept = default;

  float* data() { return data_.get(); }
  const float* data() const { return data_.get(); }
  std::size_t size() const { return size_; }
  std::span<float> span() { return {data_.get(), size_}; }
  std::span<const float> span() const { return {data_.get(), size_}; }

 private:
  struct release {
    void operator()(float* p) const { ::operator delete[](p, std::align_val_t{buffer_alignment}); }
  };
  static float* allocate(std::size_t count) {
    if (count == 0) return nullptr;
    return static_cast<float*>(::operator new[](count * sizeof(float), std::align_val_t{buffer_alignment}));
  }
  std::unique_ptr<float[], release> data_;
  std::size_t size_ = 0;
};

}  // namespace ctnet
