// The seed's data split and standardisation. Expected indices and statistics
// come from scikit-learn 1.9 / numpy 2.4: train_test_split(X, y, idx,
// test_size=0.33, random_state=42), then X_train[:67] as validation.
#include <gtest/gtest.h>

#include <cmath>

#include "host/data/split.h"
#include "host/data/standardizer.h"
#include "host/fill.h"
#include "host/regression/regression_data.h"
#include "housing_test_data.h"

using namespace convlab;

TEST(HousingSplit, TrainTestSplitMatchesScikitLearn) {
  const SplitIndices s = train_test_split_indices(506, 0.33, 42);
  ASSERT_EQ(s.test.size(), 167u);  // ceil(0.33 * 506)
  ASSERT_EQ(s.train.size(), 339u);
  const std::vector<int64_t> test_head = {173, 274, 491, 72, 452, 76, 316, 140, 471, 500, 218, 9};
  EXPECT_EQ(std::vector<int64_t>(s.test.begin(), s.test.begin() + 12), test_head);
  EXPECT_EQ(std::vector<int64_t>(s.test.end() - 3, s.test.end()), (std::vector<int64_t>{265, 29, 262}));
  EXPECT_EQ(std::vector<int64_t>(s.train.begin(), s.train.begin() + 8),
            (std::vector<int64_t>{478, 26, 7, 492, 108, 37, 157, 472}));
  EXPECT_EQ(std::vector<int64_t>(s.train.end() - 3, s.train.end()), (std::vector<int64_t>{348, 435, 102}));
  std::vector<int> seen(506, 0);
  for (int64_t i : s.train) ++seen[i];
  for (int64_t i : s.test) ++seen[i];
  for (int c : seen) EXPECT_EQ(c, 1);
}

TEST(HousingSplit, RejectsBadFractions) {
  EXPECT_THROW(train_test_split_indices(10, 0.0, 1), Error);
  EXPECT_THROW(train_test_split_indices(10, 1.0, 1), Error);
  EXPECT_THROW(train_test_split_indices(1, 0.5, 1), Error);
}

TEST(HousingSplit, TakeRowsGathersInOrderAndChecksRange) {
  const Tensor X = Tensor::from_vector({0, 1, 10, 11, 20, 21}, {3, 2});
  EXPECT_EQ(take_rows(X, {2, 0}).to_vector(), (std::vector<double>{20, 21, 0, 1}));
  EXPECT_THROW(take_rows(X, {3}), Error);
}

TEST(HousingStandardizer, PopulationStdAndTrainingStatisticsOnly) {
  const Tensor Xtr = Tensor::from_vector({1, 5, 2, 5, 3, 5, 6, 5}, {4, 2});
  Standardizer s;
  s.fit(Xtr);
  EXPECT_DOUBLE_EQ(s.mean()[0], 3.0);
  EXPECT_DOUBLE_EQ(s.std()[0], std::sqrt(3.5));  // ddof = 0: (4 + 1 + 0 + 9) / 4
  EXPECT_DOUBLE_EQ(s.std()[1], 0.0);             // constant column
  const Tensor Z = s.transform(Xtr);
  EXPECT_DOUBLE_EQ(Z.item(0), -2.0 / std::sqrt(3.5));
  EXPECT_DOUBLE_EQ(Z.item(1), 0.0);  // constant column: centred, divided by 1
  const Tensor Zv = s.transform(Tensor::from_vector({10, 7}, {1, 2}));
  EXPECT_DOUBLE_EQ(Zv.item(0), 7.0 / std::sqrt(3.5));  // other splits use the training mean and std
  EXPECT_DOUBLE_EQ(Zv.item(1), 2.0);
  const Tensor back = s.inverse_transform(Zv);
  EXPECT_NEAR(back.item(0), 10.0, 1e-12);
  EXPECT_NEAR(back.item(1), 7.0, 1e-12);
}

TEST(HousingStandardizer, FloatAndDoubleAgreeAndErrorsAreClear) {
  NumpyRandom rng(3);
  const Tensor X = randn(rng, {50, 4}, DType::f64, 3.0);
  Standardizer s64, s32;
  s64.fit(X);
  s32.fit(X.to(DType::f32));
  const Tensor Z = s64.transform(X);
  for (int j = 0; j < 4; ++j) {
    double m = 0, v = 0;
    for (int i = 0; i < 50; ++i) m += Z.item(i * 4 + j) / 50;
    for (int i = 0; i < 50; ++i) v += (Z.item(i * 4 + j) - m) * (Z.item(i * 4 + j) - m) / 50;
    EXPECT_NEAR(m, 0.0, 1e-12);
    EXPECT_NEAR(v, 1.0, 1e-12);
    EXPECT_NEAR(s32.std()[j], s64.std()[j], 1e-5 * s64.std()[j]);
  }
  Standardizer unfitted;
  EXPECT_THROW(unfitted.transform(X), Error);
  try {
    s64.transform(Tensor({2, 3}, DType::f64));
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("expected X of shape (n, 4), got (2, 3)"), std::string::npos) << e.what();
  }
  EXPECT_THROW(s64.fit(Tensor({1, 4}, DType::f64)), Error);
}

TEST(HousingSplit, RealDataSplitsAndStatisticsMatchNumpy) {
  CONVLAB_REQUIRE_HOUSING(path);
  RegressionDataConfig c;
  c.path = path;
  const RegressionSplits d = load_regression_splits(c);
  EXPECT_EQ(d.X_train.shape(), (Shape{272, 13}));
  EXPECT_EQ(d.X_val.shape(), (Shape{67, 13}));
  EXPECT_EQ(d.X_test.shape(), (Shape{167, 13}));
  EXPECT_EQ(std::vector<int64_t>(d.val_idx.begin(), d.val_idx.begin() + 5),
            (std::vector<int64_t>{478, 26, 7, 492, 108}));
  EXPECT_EQ(std::vector<int64_t>(d.val_idx.end() - 3, d.val_idx.end()), (std::vector<int64_t>{378, 59, 111}));
  EXPECT_EQ(std::vector<int64_t>(d.train_idx.begin(), d.train_idx.begin() + 8),
            (std::vector<int64_t>{89, 266, 6, 364, 503, 341, 158, 150}));
  // np.mean / np.std(ddof=0) of the 272 training rows.
  const double mean[13] = {-0.9249012058823531,  -0.763860294117647,   -0.22109226544117636, -0.8676470588235294,
                           -0.30062634411764694, 0.059112347757352926, 0.35636396272058796,  -0.5110944356249997,
                           -0.2854858051470596,  -0.180343598529412,   0.20353562867647074,  0.7919780253676468,
                           -0.40424946761029396};
  const double stdv[13] = {0.17999930314630697, 0.4638301488183531,  0.5142257501511224, 0.49718063248167554,
                           0.47757235381323865, 0.27418250172153785, 0.5614608914366548, 0.3907942800895802,
                           0.7525891786750469,  0.637851781736704,   0.4796520469443754, 0.46475049081094505,
                           0.38870851910842963};
  for (int j = 0; j < 13; ++j) {
    EXPECT_NEAR(d.standardizer.mean()[j], mean[j], 1e-14) << j;
    EXPECT_NEAR(d.standardizer.std()[j], stdv[j], 1e-14) << j;
  }
  // Raw targets of the first training and test rows (file rows 89 and 173).
  EXPECT_EQ(d.y_train.item(0), 28.7);
  EXPECT_EQ(d.y_test.item(0), 23.6);
}
