// LIBSVM reader: parsing, widths, and clear errors with file and line.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "host/data/libsvm.h"
#include "test_util.h"

using namespace convlab;

namespace {
std::string error_of(const std::string& text, int64_t num_features = 0) {
  std::istringstream in(text);
  try {
    parse_libsvm(in, "rows.txt", num_features);
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}
}  // namespace

TEST(Libsvm, SparseRowsBecomeDenseMatrix) {
  std::istringstream in("1.5 1:2 3:-0.5 \n-2 2:4e-1\n\n# comment line\n7 1:1 2:2 3:3 # trailing comment\n");
  const LibsvmData d = parse_libsvm(in, "rows.txt");
  ASSERT_EQ(d.X.shape(), (Shape{3, 3}));
  ASSERT_EQ(d.y.shape(), (Shape{3}));
  EXPECT_EQ(d.X.dtype(), DType::f64);
  const std::vector<double> X = d.X.to_vector(), y = d.y.to_vector();
  EXPECT_EQ(y, (std::vector<double>{1.5, -2, 7}));
  EXPECT_EQ(X, (std::vector<double>{2, 0, -0.5, 0, 0.4, 0, 1, 2, 3}));
}

TEST(Libsvm, GivenFeatureCountWidensAndLimits) {
  std::istringstream in("1 2:1\n");
  EXPECT_EQ(parse_libsvm(in, "rows.txt", 5).X.shape(), (Shape{1, 5}));
  const std::string e = error_of("1 1:1\n2 6:1\n", 5);
  EXPECT_NE(e.find("rows.txt:2"), std::string::npos) << e;
  EXPECT_NE(e.find("exceeds"), std::string::npos) << e;
}

TEST(Libsvm, MalformedLinesNameFileAndLine) {
  struct Case {
    std::string text, expect;
  } cases[] = {
      {"1 1:1\n2 1:1\nabc 1:2\n", "rows.txt:3: expected a numeric label"},
      {"1 1:1\n2 1=5\n", "rows.txt:2: expected index:value"},
      {"1 0:1\n", "rows.txt:1: feature index must be an integer >= 1"},
      {"1 x:1\n", "rows.txt:1: feature index must be an integer >= 1"},
      {"1 -2:1\n", "rows.txt:1: feature index must be an integer >= 1"},
      {"1 1:1\n\n1 2:abc\n", "rows.txt:3: feature value must be a finite number"},
      {"1 2:nan\n", "rows.txt:1: feature value must be a finite number"},
      {"1 1:\n", "rows.txt:1: feature value must be a finite number"},
      {"1 3:1 2:1\n", "rows.txt:1: feature indices must be strictly increasing, got 2 after 3"},
      {"1 2:1 2:1\n", "rows.txt:1: feature indices must be strictly increasing"},
      {"", "rows.txt: no samples"},
      {"1\n2\n", "rows.txt: no feature occurs"},
  };
  for (const Case& c : cases) {
    const std::string e = error_of(c.text);
    EXPECT_NE(e.find(c.expect), std::string::npos) << "input '" << c.text << "' gave '" << e << "'";
  }
}

TEST(Libsvm, MissingFileIsAClearError) {
  try {
    read_libsvm("no/such/dir/housing_scale");
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("cannot open 'no/such/dir/housing_scale'"), std::string::npos);
  }
}

TEST(Libsvm, RealHousingFile) {
  const std::string dir = test::data_dir();
  const std::string path = dir + "/housing/housing_scale";
  if (dir.empty() || !std::ifstream(path)) GTEST_SKIP() << "CONVLAB_DATA_DIR/housing/housing_scale not found";
  const LibsvmData d = read_libsvm(path);
  ASSERT_EQ(d.X.shape(), (Shape{506, 13}));
  EXPECT_EQ(d.y.item(0), 24.0);
  const double row0[13] = {-1,        -0.64, -0.86437,  -1,        -0.37037, 0.155011, 0.283213,
                           -0.461594, -1,    -0.583969, -0.425532, 1,        -0.82064};
  for (int j = 0; j < 13; ++j) EXPECT_EQ(d.X.item(j), row0[j]) << "feature " << j + 1;
  double sum = 0;
  for (double v : d.y.to_vector()) sum += v;
  EXPECT_NEAR(sum / 506, 22.532806324110677, 1e-12);  // mean MEDV
  for (double v : d.X.to_vector()) {
    EXPECT_GE(v, -1.0);
    EXPECT_LE(v, 1.0);
  }
}
