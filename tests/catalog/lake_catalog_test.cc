// The lake catalog: entries from Delta logs and declarations — a database
// source's origin read from its bronze table's properties, sizes compared
// with the data — and `_system.tables` / `_system.columns` in a query
// session, following new commits.
#include "carelake/catalog/lake_catalog.h"

#include <gtest/gtest.h>

#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "../delta/lake_test.h"
#include "carelake/delta/table.h"
#include "carelake/ingest/db_ingest.h"
#include "carelake/query/session.h"

namespace carelake::catalog {
namespace {

class LakeCatalogTest : public delta::LakeTest {
 protected:
  void SetUp() override {
    LakeTest::SetUp();
    project_.name = "clinic";
    project_.dir = dir_.string();
    project_.lake = (dir_ / "lake").string();
    project::Source s;
    s.name = "visits_export";
    s.table = "visits";
    s.path = "landing/*.csv";
    s.format = project::SourceFormat::kCsv;
    project_.sources.push_back(s);
    project::SilverTable t;
    t.name = "visits";
    t.domain = "care";
    t.from = "bronze.visits";
    project::SilverColumn id;
    id.name = "visit_id";
    id.type = "BIGINT";
    project::SilverColumn who;
    who.name = "patient";
    who.from = "PatientName";
    who.pii = true;
    t.columns = {id, who};
    project_.silver.push_back(t);
  }

  void Write(const std::string& path, const std::string& sql,
             std::map<std::string, std::string> properties = {}) {
    delta::DeltaTable table(LocalFileSystem(), path, *conn_);
    delta::WriteOptions options;
    options.properties = std::move(properties);
    auto r = table.Write(sql, options);
    ASSERT_TRUE(r.ok()) << r.status();
  }

  const CatalogEntry* Find(const std::vector<CatalogEntry>& entries, const std::string& name) {
    for (const CatalogEntry& e : entries) {
      if (e.Qualified() == name) return &e;
    }
    return nullptr;
  }

  project::Project project_;
};

TEST_F(LakeCatalogTest, EntriesFromLogsAndDeclarations) {
  const std::string bronze = TablePaths(project_).at("bronze.visits");
  Write(bronze,
        "SELECT * FROM (VALUES ('1', 'Ana'), ('2', 'Ben'), ('3', NULL)) t(visit_id, "
        "\"PatientName\")");
  Write(bronze, "SELECT '4' AS visit_id, 'Dan' AS \"PatientName\"");
  auto entries = ReadLakeCatalog(project_, LocalFileSystem(), *conn_);
  ASSERT_TRUE(entries.ok()) << entries.status();
  const CatalogEntry* b = Find(*entries, "bronze.visits");
  ASSERT_NE(b, nullptr);
  EXPECT_TRUE(b->exists);
  EXPECT_EQ(b->version, 1);
  auto scan = delta::DeltaTable(LocalFileSystem(), bronze, *conn_).ScanSql();
  ASSERT_TRUE(scan.ok());
  EXPECT_EQ(b->rows, Int("SELECT count(*) FROM (" + *scan + ")"));
  EXPECT_EQ(b->rows, 4);
  EXPECT_EQ(b->files, 2);
  EXPECT_EQ(b->origin.kind, OriginKind::kFiles);
  EXPECT_EQ(b->origin.glob, "landing/*.csv");
  ASSERT_EQ(b->columns.size(), 2u);
  EXPECT_FALSE(b->columns[0].pii);
  EXPECT_TRUE(b->columns[1].pii);  // silver.visits.patient reads it and is pii

  int64_t bytes = 0;
  for (const auto& f : std::filesystem::directory_iterator(bronze)) {
    if (f.path().extension() == ".parquet") bytes += std::filesystem::file_size(f.path());
  }
  EXPECT_EQ(b->size_bytes, bytes);

  const CatalogEntry* s = Find(*entries, "silver.visits");
  ASSERT_NE(s, nullptr);
  EXPECT_FALSE(s->exists);
  EXPECT_EQ(s->origin.from, "bronze.visits");
  const CatalogEntry* q = Find(*entries, "bronze.visits__quarantine");
  ASSERT_NE(q, nullptr);
  EXPECT_EQ(q->origin.kind, OriginKind::kCompanion);
  EXPECT_EQ(q->origin.owner, "bronze.visits");
}

// A database source's bronze table says where it came from in its table
// properties (ingest/db_ingest.h writes them).
TEST_F(LakeCatalogTest, DatabaseOriginFromTableProperties) {
  const std::string path = (dir_ / "lake/bronze/mysql/patient").string();
  Write(path, "SELECT 1::BIGINT AS id, 12.5::DOUBLE AS big, 'x' AS name",
        {{kOriginServerProperty, "mysql://reader@db1.example:3306/ikhospital"},
         {kOriginTableProperty, "ikhospital.patient"},
         {kOriginTypesProperty, R"j({"id": "bigint unsigned", "big": "decimal(50,2)"})j"},
         {kOriginNotesProperty, R"j({"big": "beyond 38 digits: kept as text"})j"},
         {kOriginKeyProperty, R"j(["id"])j"}});
  CatalogTable t{Layer::kBronze, "mysql__patient", path};
  delta::DeltaTable table(LocalFileSystem(), path, *conn_);
  auto snapshot = table.Load();
  ASSERT_TRUE(snapshot.ok());
  CatalogEntry e = DescribeTable(project_, t, snapshot->get());
  EXPECT_EQ(e.origin.kind, OriginKind::kDatabase);
  EXPECT_EQ(e.origin.source, "mysql");
  EXPECT_EQ(e.origin.server, "mysql://reader@db1.example:3306/ikhospital");
  EXPECT_EQ(e.origin.database, "ikhospital");
  EXPECT_EQ(e.origin.schema, "ikhospital");
  EXPECT_EQ(e.origin.table, "patient");
  EXPECT_EQ(e.origin.key, std::vector<std::string>{"id"});
  ASSERT_EQ(e.columns.size(), 3u);
  EXPECT_EQ(e.columns[0].source_type, "bigint unsigned");
  EXPECT_EQ(e.columns[1].note, "beyond 38 digits: kept as text");
  EXPECT_EQ(e.columns[1].description, "server type decimal(50,2); beyond 38 digits: kept as text");
  EXPECT_EQ(e.columns[2].source_type, "");

  const nlohmann::json j = nlohmann::json::parse(CatalogJson(project_, {e}));
  EXPECT_EQ(j["tables"][0]["origin"]["table"], "patient");
  EXPECT_EQ(j["tables"][0]["origin"]["key"], nlohmann::json::array({"id"}));
  EXPECT_EQ(j["tables"][0]["columns"][1]["source_type"], "decimal(50,2)");
  EXPECT_NE(CatalogText({e}).find("database mysql://reader@db1.example:3306/ikhospital table "
                                  "ikhospital.patient (source mysql)"),
            std::string::npos)
      << CatalogText({e});
}

TEST_F(LakeCatalogTest, SystemViewsFollowCommitsInASession) {
  query::SessionOptions options;
  options.project = project_;
  auto session = query::Session::Open(options, LocalFileSystem());
  ASSERT_TRUE(session.ok()) << session.status();
  auto count = [&](const std::string& sql) {
    int64_t n = -1;
    Status s = (*session)->Execute(sql, [&n](engine::QueryResult& r) {
      auto rows = r.FetchAllRows();
      if (!rows.ok()) return rows.status();
      n = (*rows)[0][0].is_null() ? -1 : (*rows)[0][0].GetInt64();
      return Status::Ok();
    });
    EXPECT_TRUE(s.ok()) << s;
    return n;
  };
  // Declared tables are listed before they exist.
  EXPECT_EQ(count("SELECT count(*) FROM _system.tables"),
            static_cast<int64_t>(ProjectTables(project_).size()));
  EXPECT_EQ(count("SELECT count(*) FROM _system.tables WHERE present"), 0);
  EXPECT_EQ(count("SELECT count(*) FROM _system.columns"), 0);

  const std::string bronze = TablePaths(project_).at("bronze.visits");
  Write(bronze, "SELECT '1' AS visit_id, 'Ana' AS \"PatientName\"");
  EXPECT_EQ(count("SELECT row_count FROM _system.tables WHERE table_name = 'bronze.visits'"), 1);
  Write(bronze, "SELECT '2' AS visit_id, 'Ben' AS \"PatientName\"");
  EXPECT_EQ(count("SELECT row_count FROM _system.tables WHERE table_name = 'bronze.visits'"),
            count("SELECT count(*) FROM bronze.visits"));
  EXPECT_EQ(count("SELECT version FROM _system.tables WHERE table_name = 'bronze.visits'"), 1);
  EXPECT_EQ(count("SELECT count(*) FROM _system.columns WHERE table_name = 'bronze.visits' AND "
                  "pii AND column_name = 'PatientName'"),
            1);
}

// The catalog reads the properties ingestion writes (catalog cannot include
// ingest/: ingest depends on catalog).

TEST(InstallSystemViewsTest, EmptyCatalogMakesEmptyTypedViews) {
  auto db = engine::Database::OpenInMemory();
  ASSERT_TRUE(db.ok());
  auto conn = engine::Connection::Open(**db);
  ASSERT_TRUE(conn.ok());
  ASSERT_TRUE(conn->Execute("CREATE SCHEMA _system").ok());
  Status s = InstallSystemViews({}, *conn);
  ASSERT_TRUE(s.ok()) << s;
  auto r = conn->Query("SELECT count(*), count(row_count) FROM _system.tables");
  ASSERT_TRUE(r.ok()) << r.status();
  auto c = conn->Query("SELECT count(*) FROM _system.columns WHERE pii");
  ASSERT_TRUE(c.ok()) << c.status();
}

}  // namespace
}  // namespace carelake::catalog
