// Running a project folder's pipeline in a test and registering its tables'
// views on the same connection, so that the test can query what it built.
#ifndef CARELAKE_TESTS_PIPELINE_PROJECT_RUN_H_
#define CARELAKE_TESTS_PIPELINE_PROJECT_RUN_H_

#include <gtest/gtest.h>

#include <string>

#include "carelake/base/file_system.h"
#include "carelake/catalog/catalog.h"
#include "carelake/engine/connection.h"
#include "carelake/pipeline/runner.h"
#include "carelake/project/project.h"

namespace carelake::pipeline {

// Loads the project in `dir`, runs it and registers its views on `conn`.
// Each failure is a test failure; the report is empty after one.
inline RunReport RunAndRegisterViews(const std::string& dir, engine::Connection& conn) {
  auto p = project::LoadProject(dir);
  EXPECT_TRUE(p.ok()) << p.status();
  if (!p.ok()) return {};
  auto r = RunProject(*p, {}, LocalFileSystem(), conn);
  EXPECT_TRUE(r.ok()) << r.status();
  if (!r.ok()) return {};
  auto views = catalog::RegisterViews(*p, LocalFileSystem(), conn);
  EXPECT_TRUE(views.ok()) << views.status();
  return *r;
}

}  // namespace carelake::pipeline

#endif  // CARELAKE_TESTS_PIPELINE_PROJECT_RUN_H_
