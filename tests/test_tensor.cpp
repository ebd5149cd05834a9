#include <gtest/gtest.h>

#include <memory>
#include <vector>

#include "host/fill.h"
#include "host/gradcheck.h"
#include "host/tensor.h"

using namespace convlab;

TEST(Tensor, ShapeDtypeAndZeroFill) {
  Tensor t({2, 3, 4}, DType::f32);
  EXPECT_EQ(t.ndim(), 3);
  EXPECT_EQ(t.numel(), 24);
  EXPECT_EQ(t.nbytes(), 96u);
  EXPECT_EQ(t.dim(-1), 4);
  for (int64_t i = 0; i < t.numel(); ++i) EXPECT_EQ(t.item(i), 0.0);
}

TEST(Tensor, RejectsMoreThanFourDims) { EXPECT_THROW(Tensor({1, 2, 3, 4, 5}), Error); }

TEST(Tensor, TypedAccessChecksDtype) {
  Tensor t({3}, DType::f64);
  EXPECT_NO_THROW(t.data<double>());
  try {
    t.data<float>();
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("float64"), std::string::npos);
  }
}

TEST(Tensor, CopiesShareStorageCloneDoesNot) {
  Tensor a = Tensor::full({4}, 1.0, DType::f32);
  Tensor b = a;
  Tensor c = a.clone();
  a.set_item(0, 7.0);
  EXPECT_EQ(b.item(0), 7.0);
  EXPECT_EQ(c.item(0), 1.0);
}

// Tensor::borrow (the Python module's arrays): the same memory, read and
// written both ways, kept alive by the owner until the last tensor goes.
TEST(Tensor, BorrowSharesForeignMemoryAndReleasesTheOwnerLast) {
  auto buffer = std::make_shared<std::vector<double>>(std::vector<double>{1, 2, 3, 4, 5, 6});
  std::weak_ptr<std::vector<double>> alive = buffer;
  Tensor view;
  {
    Tensor t = Tensor::borrow(buffer->data(), {2, 3}, DType::f64, Device::cpu, buffer);
    buffer.reset();  // the tensor's owner keeps the memory
    EXPECT_EQ(t.data<double>(), alive.lock()->data());
    EXPECT_EQ(t.item(4), 5.0);
    t.set_item(0, -1.0);
    EXPECT_EQ((*alive.lock())[0], -1.0);
    view = t.reshape({3, 2}).slice0(1, 3);
    EXPECT_EQ(view.item(0), 3.0);
  }
  EXPECT_FALSE(alive.expired());  // `view` still shares the storage
  Tensor copy = view.clone();     // a clone owns memory of its own
  view = Tensor();
  EXPECT_TRUE(alive.expired());
  EXPECT_EQ(copy.item(3), 6.0);
  EXPECT_THROW(Tensor::borrow(nullptr, {2}, DType::f32, Device::cpu, std::make_shared<int>(0)), Error);
  EXPECT_THROW(Tensor::borrow(copy.raw(), {2}, DType::f32, Device::cpu, nullptr), Error);
  EXPECT_THROW(Tensor::borrow(copy.raw(), {1, 1, 1, 1, 1}, DType::f32, Device::cpu, std::make_shared<int>(0)), Error);
}

TEST(Tensor, ReshapeInfersAndValidates) {
  Tensor a({2, 3, 4});
  EXPECT_EQ(a.reshape({2, -1}).shape(), (Shape{2, 12}));
  EXPECT_THROW(a.reshape({5, -1}), Error);
  EXPECT_THROW(a.reshape({2, 3}), Error);
}

TEST(Tensor, Slice0SharesRows) {
  Tensor a = linspace(0, 11, {4, 3});
  Tensor s = a.slice0(1, 3);
  EXPECT_EQ(s.shape(), (Shape{2, 3}));
  EXPECT_EQ(s.item(0), 3.0);
  EXPECT_EQ(s.item(5), 8.0);
  EXPECT_THROW(a.slice0(2, 5), Error);
}

TEST(Tensor, DtypeConversion) {
  Tensor a = Tensor::from_vector({1.5, -2.25}, {2}, DType::f64);
  Tensor f = a.to(DType::f32);
  EXPECT_EQ(f.dtype(), DType::f32);
  EXPECT_EQ(f.item(1), -2.25);
}

TEST(Fill, LinspaceMatchesNumpy) {
  // np.linspace(-0.1, 0.5, num=96): first, second, last
  Tensor x = linspace(-0.1, 0.5, {2, 3, 4, 4});
  EXPECT_DOUBLE_EQ(x.item(0), -0.1);
  EXPECT_NEAR(x.item(1), -0.1 + 0.6 / 95.0, 1e-17);
  EXPECT_DOUBLE_EQ(x.item(95), 0.5);
}

// Reference values printed by numpy 2.x (legacy RandomState).
TEST(NumpyRandom, RandomSampleMatchesNumpy) {
  NumpyRandom r(231);
  EXPECT_DOUBLE_EQ(r.random_sample(), 0.78149404082882);
  EXPECT_DOUBLE_EQ(r.random_sample(), 0.5842091160855433);
  EXPECT_DOUBLE_EQ(r.random_sample(), 0.426710070189125);
}

TEST(NumpyRandom, RandnMatchesNumpy) {
  NumpyRandom r(231);
  const double want[] = {0.41794341085522313, 1.3971002787857785, -1.7859043087115503, -0.7088277337845966,
                         -0.0747253160682306};
  for (double w : want) EXPECT_DOUBLE_EQ(r.randn(), w);
}

TEST(NumpyRandom, RandintMatchesNumpy) {
  NumpyRandom r(231);
  const int64_t want[] = {7, 0, 4, 9, 6, 2, 7, 4};
  for (int64_t w : want) EXPECT_EQ(r.randint(0, 10), w);
  const int64_t want2[] = {10090, 12066, 1852, 22050};
  for (int64_t w : want2) EXPECT_EQ(r.randint(0, 49000), w);
}

TEST(NumpyRandom, PermutationMatchesNumpy) {
  NumpyRandom r(42);
  EXPECT_EQ(r.permutation(10), (std::vector<int64_t>{8, 1, 5, 0, 7, 2, 9, 4, 3, 6}));
  NumpyRandom r2(42);
  auto p = r2.permutation(506);
  EXPECT_EQ(std::vector<int64_t>(p.begin(), p.begin() + 10),
            (std::vector<int64_t>{173, 274, 491, 72, 452, 76, 316, 140, 471, 500}));
  EXPECT_EQ(std::vector<int64_t>(p.end() - 5, p.end()), (std::vector<int64_t>{106, 270, 348, 435, 102}));
}

TEST(GradCheck, RelErrorAsNotebooks) {
  Tensor a = Tensor::from_vector({1.0, 2.0}, {2});
  Tensor b = Tensor::from_vector({1.0, 2.2}, {2});
  EXPECT_NEAR(rel_error(a, b), 0.2 / 4.2, 1e-15);
  EXPECT_EQ(rel_error(a, a), 0.0);
}

TEST(GradCheck, NumericalGradientOfSquare) {
  Tensor x = Tensor::from_vector({1.0, -2.0, 3.0}, {3});
  auto f = [](const Tensor& t) {
    double s = 0;
    for (int64_t i = 0; i < t.numel(); ++i) s += t.item(i) * t.item(i);
    return s;
  };
  Tensor g = eval_numerical_gradient(f, x);
  EXPECT_NEAR(g.item(0), 2.0, 1e-8);
  EXPECT_NEAR(g.item(1), -4.0, 1e-8);
  EXPECT_NEAR(g.item(2), 6.0, 1e-8);
}
