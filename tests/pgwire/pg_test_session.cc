#include "pg_test_session.h"

#include <filesystem>
#include <fstream>

#include "carelake/pgwire/sql_translate.h"
#include "carelake/pgwire/value_codec.h"
#include "carelake/pipeline/runner.h"
#include "carelake/project/project.h"

namespace carelake::pgwire {
namespace {

namespace fs = std::filesystem;

}  // namespace

void PgSessionTest::SetUp() {
  LakeTest::SetUp();
  fs::create_directories(dir_ / "landing");
  fs::create_directories(dir_ / "models");
  std::ofstream(dir_ / "carelake.yaml") << kCorpusProject;
  std::ofstream(dir_ / "landing" / "a.csv") << kCorpusRows;
  std::ofstream(dir_ / "models" / "by_flag.sql") << kCorpusModel;
  auto project = project::LoadProject(dir_.string());
  ASSERT_TRUE(project.ok()) << project.status();
  auto run = pipeline::RunProject(*project, {}, LocalFileSystem(), *conn_);
  ASSERT_TRUE(run.ok()) << run.status();
  ASSERT_TRUE(run->succeeded) << run->error;
  OpenSession();
}

void PgSessionTest::OpenSession() {
  query::SessionOptions options;
  auto project = project::LoadProject(dir_.string());
  ASSERT_TRUE(project.ok()) << project.status();
  options.project = *project;
  options.untrusted = true;
  auto session = query::Session::Open(options, LocalFileSystem());
  ASSERT_TRUE(session.ok()) << session.status();
  session_ = std::move(*session);
  PgSessionInfo info{.database = "clinic", .user = "carl", .application_name = "psql"};
  auto catalog = PgCatalog::Install(session_->connection(), *session_->project(), info);
  ASSERT_TRUE(catalog.ok()) << catalog.status();
  catalog_.emplace(std::move(*catalog));
}

Result<std::vector<corpus::StatementResult>> PgSessionTest::Run(const std::string& pg_sql) {
  CARELAKE_ASSIGN_OR_RETURN(std::string sql, catalog_->Translate(pg_sql));
  std::vector<corpus::StatementResult> results;
  Status status = session_->Execute(sql, [&](engine::QueryResult& result) -> Status {
    corpus::StatementResult r;
    r.columns = result.column_names();
    // Values as the server sends them in text format (value_codec.h).
    std::vector<FieldEncoder> encoders;
    for (const engine::LogicalType& type : result.column_types()) {
      encoders.push_back(FieldEncoder::For(type, Format::kText, EncodeSettings{}));
    }
    for (;;) {
      CARELAKE_ASSIGN_OR_RETURN(std::optional<engine::DataChunk> chunk, result.Fetch());
      if (!chunk) break;
      for (size_t row = 0; row < chunk->size(); ++row) {
        std::vector<corpus::Cell> cells;
        for (size_t c = 0; c < chunk->column_count(); ++c) {
          const engine::ColumnView column = chunk->column(c);
          if (column.IsNull(row)) {
            cells.emplace_back();
            continue;
          }
          std::string text;
          encoders[c].AppendValue(column, row, text);
          cells.emplace_back(std::move(text));
        }
        r.rows.push_back(std::move(cells));
      }
    }
    results.push_back(std::move(r));
    return Status::Ok();
  });
  if (!status.ok()) return Status(status.code(), status.message() + "\nSQL: " + sql);
  return results;
}

corpus::StatementResult PgSessionTest::RunOne(const std::string& pg_sql) {
  auto results = Run(pg_sql);
  EXPECT_TRUE(results.ok()) << results.status();
  if (!results.ok() || results->size() != 1) {
    ADD_FAILURE() << "expected one result for " << pg_sql;
    return {};
  }
  return results->front();
}

}  // namespace carelake::pgwire
