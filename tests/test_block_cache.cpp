// The caching allocator behind tensor storage: freed blocks are reused by
// size, reused memory is zeroed or poisoned as the tensor asks, caching can
// be switched off, and the statistics add up.
#include <gtest/gtest.h>

#include <cmath>

#include "host/memory/block_cache.h"
#include "host/tensor.h"

using namespace convlab;

namespace {

// Restores caching and poisoning whatever a test does.
struct AllocatorScope {
  bool caching = allocator_caching();
  ~AllocatorScope() {
    set_allocator_caching(caching);
    set_poison_allocations(false);
  }
};

}  // namespace

TEST(BlockCache, FreedBlockIsReusedForTheSameSize) {
  AllocatorScope scope;
  set_allocator_caching(true);
  const void* first = nullptr;
  {
    Tensor t({1024, 100}, DType::f32);  // 409600 bytes: a whole size class
    first = t.raw();
  }
  const AllocatorStats before = allocator_stats(Device::cpu);
  EXPECT_GE(before.cached_blocks, 1u);
  Tensor again({1024, 100}, DType::f32);
  EXPECT_EQ(again.raw(), first);
  const AllocatorStats after = allocator_stats(Device::cpu);
  EXPECT_EQ(after.reused, before.reused + 1);
  EXPECT_EQ(after.cached_blocks, before.cached_blocks - 1);
  EXPECT_EQ(after.cached_bytes + 409600u, before.cached_bytes);
}

TEST(BlockCache, ReusedMemoryIsZeroedForTensorsThatPromiseZeros) {
  AllocatorScope scope;
  set_allocator_caching(true);
  { Tensor::full({64, 64}, 3.5, DType::f64); }
  Tensor z({64, 64}, DType::f64);
  for (int64_t i = 0; i < z.numel(); ++i) ASSERT_EQ(z.item(i), 0.0) << "element " << i;
  { Tensor::full({64, 64}, 3.5, DType::f64); }
  Tensor z2 = Tensor::zeros({64, 64}, DType::f64);
  for (int64_t i = 0; i < z2.numel(); ++i) ASSERT_EQ(z2.item(i), 0.0) << "element " << i;
}

TEST(BlockCache, EmptyTensorsArePoisonedWhilePoisoningIsOn) {
  AllocatorScope scope;
  set_poison_allocations(true);
  Tensor e = Tensor::empty({5, 7}, DType::f32);
  for (int64_t i = 0; i < e.numel(); ++i) ASSERT_TRUE(std::isnan(e.item(i))) << "element " << i;
  Tensor z({5, 7}, DType::f32);  // the zero-filling constructor ignores poisoning
  for (int64_t i = 0; i < z.numel(); ++i) ASSERT_EQ(z.item(i), 0.0) << "element " << i;
}

TEST(BlockCache, CachingOffReturnsBlocksToTheSystem) {
  AllocatorScope scope;
  set_allocator_caching(false);
  EXPECT_FALSE(allocator_caching());
  EXPECT_EQ(allocator_stats(Device::cpu).cached_blocks, 0u);
  { Tensor t({300, 300}, DType::f32); }
  EXPECT_EQ(allocator_stats(Device::cpu).cached_blocks, 0u);
  set_allocator_caching(true);
  { Tensor t({300, 300}, DType::f32); }
  EXPECT_GE(allocator_stats(Device::cpu).cached_blocks, 1u);
  empty_cache(Device::cpu);
  EXPECT_EQ(allocator_stats(Device::cpu).cached_bytes, 0u);
}

TEST(BlockCache, ZeroSizedTensorsGetAUsableBlock) {
  Tensor t({0, 3}, DType::f32);
  EXPECT_NE(t.raw(), nullptr);
  Tensor e = Tensor::empty({0}, DType::f64);
  EXPECT_EQ(e.numel(), 0);
}
