#include "carelake/base/env_template.h"

#include <gtest/gtest.h>

#include <map>

namespace carelake {
namespace {

EnvLookup Env(const std::map<std::string, std::string>& vars) {
  return [vars](const std::string& name) -> const char* {
    auto it = vars.find(name);
    return it == vars.end() ? nullptr : it->second.c_str();
  };
}

TEST(EnvTemplateTest, ExpandsReferencesAndKeepsOtherDollars) {
  auto env = Env({{"HOOK_TOKEN", "t0k"}, {"_X1", "x"}});
  EXPECT_EQ(*ExpandEnvTemplate("Bearer ${HOOK_TOKEN}", env), "Bearer t0k");
  EXPECT_EQ(*ExpandEnvTemplate("${_X1}${_X1}-$$-$5-$", env), "xx-$-$5-$");
  EXPECT_EQ(*ExpandEnvTemplate("no references", env), "no references");
  auto names = EnvTemplateNames("a ${B} ${C} ${B} $${D}");
  ASSERT_TRUE(names.ok());
  EXPECT_EQ(*names, (std::vector<std::string>{"B", "C"}));
}

TEST(EnvTemplateTest, ErrorsNameTheVariableNotAValue) {
  auto unset = ExpandEnvTemplate("x ${MISSING} y", Env({}));
  ASSERT_FALSE(unset.ok());
  EXPECT_EQ(unset.status().message(), "environment variable MISSING is not set");
  auto open = EnvTemplateNames("abc ${NAME");
  ASSERT_FALSE(open.ok());
  EXPECT_NE(open.status().message().find("offset 4"), std::string::npos);
  EXPECT_FALSE(EnvTemplateNames("${1ABC}").ok());
  EXPECT_FALSE(EnvTemplateNames("${}").ok());
  EXPECT_FALSE(EnvTemplateNames("${A-B}").ok());
}

}  // namespace
}  // namespace carelake
