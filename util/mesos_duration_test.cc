#include "util/mesos_duration.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace executor_runtime {
namespace {

using ::testing::HasSubstr;

TEST(ParseMesosDurationTest, AcceptsEveryUnit) {
  EXPECT_EQ(*ParseMesosDuration("100ms"), absl::Milliseconds(100));
  EXPECT_EQ(*ParseMesosDuration("5secs"), absl::Seconds(5));
  EXPECT_EQ(*ParseMesosDuration("2mins"), absl::Minutes(2));
  EXPECT_EQ(*ParseMesosDuration("15mins"), absl::Minutes(15));
  EXPECT_EQ(*ParseMesosDuration("1hrs"), absl::Hours(1));
  EXPECT_EQ(*ParseMesosDuration("2days"), absl::Hours(48));
  EXPECT_EQ(*ParseMesosDuration("1weeks"), absl::Hours(168));
  EXPECT_EQ(*ParseMesosDuration("7us"), absl::Microseconds(7));
  EXPECT_EQ(*ParseMesosDuration("9ns"), absl::Nanoseconds(9));
  EXPECT_EQ(*ParseMesosDuration("1.5secs"), absl::Milliseconds(1500));
}

TEST(ParseMesosDurationTest, RejectsMalformedTextWithAClearMessage) {
  EXPECT_THAT(ParseMesosDuration("").status().message(),
              HasSubstr("expected a number followed by a unit"));
  EXPECT_THAT(ParseMesosDuration("secs").status().message(),
              HasSubstr("expected a number"));
  EXPECT_THAT(ParseMesosDuration("5").status().message(),
              HasSubstr("unknown unit ''"));
  EXPECT_THAT(ParseMesosDuration("5seconds").status().message(),
              HasSubstr("unknown unit 'seconds'"));
  EXPECT_THAT(ParseMesosDuration("1.2.3secs").status().message(),
              HasSubstr("bad number"));
  EXPECT_THAT(ParseMesosDuration("-5secs").status().message(),
              HasSubstr("expected a number"));
  EXPECT_THAT(ParseMesosDuration("99999999999999999999weeks").status().message(),
              HasSubstr("too large"));
}

TEST(FormatMesosDurationTest, RoundTrips) {
  for (absl::Duration d : {absl::Seconds(5), absl::Milliseconds(1500),
                           absl::Minutes(15), absl::Nanoseconds(3)}) {
    EXPECT_EQ(*ParseMesosDuration(FormatMesosDuration(d)), d);
  }
  EXPECT_EQ(FormatMesosDuration(absl::Seconds(5)), "5secs");
  EXPECT_EQ(FormatMesosDuration(absl::Milliseconds(1500)), "1500ms");
}

}  // namespace
}  // namespace executor_runtime
