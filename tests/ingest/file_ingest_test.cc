// IngestFiles against real files in a temporary project folder. Every test
// writes its input, counts the records it wrote itself, ingests, and reads
// bronze and the quarantine back; expectations come from the input, never
// from the numbers IngestFiles reports.
#include "carelake/ingest/file_ingest.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <optional>
#include <stop_token>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "../delta/lake_test.h"
#include "carelake/base/clock.h"
#include "carelake/base/file_system.h"
#include "carelake/delta/table.h"

namespace carelake::ingest {
namespace {

constexpr char kNull[] = "<NULL>";

// 1 + the line breaks before `offset`.
int64_t LineAt(std::string_view text, size_t offset) {
  return 1 + std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(offset), '\n');
}

// An array document of `records`, one per line, or all on one line.
std::string ArrayDoc(const std::vector<std::string>& records, bool one_line = false) {
  std::string doc = "[";
  for (size_t i = 0; i < records.size(); ++i) {
    doc += (i > 0 ? "," : "") + std::string(one_line ? "" : "\n  ") + records[i];
  }
  return doc + (one_line ? "]" : "\n]\n");
}

std::string Ndjson(const std::vector<std::string>& records, const std::string& eol = "\n") {
  std::string doc;
  for (const std::string& r : records) doc += r + eol;
  return doc;
}

// A record {"id": "<id>", <more>}.
std::string Rec(int id, const std::string& more = "") {
  return "{\"id\": \"" + std::to_string(id) + "\"" + (more.empty() ? "" : ", " + more) + "}";
}

class FileIngestTest : public delta::LakeTest {
 protected:
  void SetUp() override {
    LakeTest::SetUp();
    project_ = (dir_ / "project").string();
    std::filesystem::create_directories(project_);
    source_.name = "visits";
    source_.table = "visits";
    source_.format = project::SourceFormat::kJson;
    source_.path = "landing/*.json*";
    bronze_path_ = (dir_ / "lake" / "bronze" / "visits").string();
    quarantine_path_ = (dir_ / "lake" / "bronze" / "visits__quarantine").string();
  }

  std::string PathOf(const std::string& rel) {
    return (std::filesystem::path(project_) / rel).string();
  }

  void WriteFile(const std::string& rel, std::string_view bytes) {
    std::filesystem::create_directories(std::filesystem::path(PathOf(rel)).parent_path());
    std::ofstream out(PathOf(rel), std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    ASSERT_TRUE(out.good()) << rel;
  }

  void WriteGzip(const std::string& rel, std::string_view bytes) {
    std::filesystem::create_directories(std::filesystem::path(PathOf(rel)).parent_path());
    gzFile f = gzopen(PathOf(rel).c_str(), "wb");
    ASSERT_NE(f, nullptr);
    ASSERT_EQ(gzwrite(f, bytes.data(), static_cast<unsigned>(bytes.size())),
              static_cast<int>(bytes.size()));
    ASSERT_EQ(gzclose(f), Z_OK);
  }

  IngestRequest Request(const std::string& run_id) {
    IngestRequest r;
    r.source = &source_;
    r.project_dir = project_;
    r.bronze_path = bronze_path_;
    r.quarantine_path = quarantine_path_;
    r.run_id = run_id;
    return r;
  }

  Result<IngestResult> Ingest(const std::string& run_id = "run-1") {
    return IngestFiles(Request(run_id), LocalFileSystem(), *conn_);
  }

  // Ingests and expects success.
  IngestResult MustIngest(const std::string& run_id = "run-1") {
    auto r = Ingest(run_id);
    EXPECT_TRUE(r.ok()) << r.status();
    return r.ok() ? *r : IngestResult{};
  }

  // SQL (a parenthesized subquery) reading a table's latest version.
  std::string Scan(const std::string& path) {
    delta::DeltaTable t(LocalFileSystem(), path, *conn_);
    if (!t.Exists()) {
      return "(SELECT NULL::VARCHAR AS _run_id, NULL::VARCHAR AS _source_file, NULL::BIGINT AS "
             "_source_position, NULL::BIGINT AS _source_line, NULL::BIGINT AS _source_offset, "
             "NULL::VARCHAR AS _reason, NULL::VARCHAR AS _raw WHERE false)";
    }
    auto sql = t.ScanSql();
    EXPECT_TRUE(sql.ok()) << sql.status();
    return "(" + (sql.ok() ? *sql : std::string("SELECT 1")) + ")";
  }
  std::string Bronze() { return Scan(bronze_path_); }
  std::string Quarantine() { return Scan(quarantine_path_); }
  int64_t BronzeRows() { return Int("SELECT count(*) FROM " + Bronze()); }
  int64_t QuarantineRows() { return Int("SELECT count(*) FROM " + Quarantine()); }

  std::optional<int64_t> Version(const std::string& path) {
    delta::DeltaTable t(LocalFileSystem(), path, *conn_);
    if (!t.Exists()) return std::nullopt;
    auto s = t.Load();
    EXPECT_TRUE(s.ok()) << s.status();
    return s.ok() ? std::optional<int64_t>((*s)->version()) : std::nullopt;
  }

  // Rows of `sql` with every value as text (NULL as kNull).
  std::vector<std::vector<std::string>> Texts(const std::string& sql) {
    std::vector<std::vector<std::string>> out;
    for (const auto& row : Rows(sql)) {
      std::vector<std::string> r;
      for (const engine::Value& v : row) r.push_back(v.is_null() ? kNull : v.ToString());
      out.push_back(std::move(r));
    }
    return out;
  }

  // The columns of bronze, in order.
  std::vector<std::string> BronzeColumns() {
    auto r = conn_->Query("SELECT * FROM " + Bronze() + " LIMIT 0");
    EXPECT_TRUE(r.ok()) << r.status();
    return r.ok() ? r->column_names() : std::vector<std::string>{};
  }

  // Every record is in bronze or the quarantine once: (file, position) is
  // unique across both, and together they hold `written` records.
  void ExpectAccountedFor(int64_t written) {
    const std::string keys = "SELECT _source_file, _source_position FROM " + Bronze() +
                             " UNION ALL SELECT _source_file, _source_position FROM " +
                             Quarantine() + " WHERE _source_position IS NOT NULL";
    EXPECT_EQ(Int("SELECT count(*) FROM (" + keys + ")"), written);
    EXPECT_EQ(Int("SELECT count(*) FROM (SELECT DISTINCT * FROM (" + keys + "))"), written)
        << "a record is in bronze or the quarantine twice";
  }

  std::string project_;
  std::string bronze_path_;
  std::string quarantine_path_;
  project::Source source_;
};

// --- Reading JSON ------------------------------------------------------------

TEST_F(FileIngestTest, ArrayNdjsonAndGzipFilesLandWithLineage) {
  // Three files, each read in file order: a pretty-printed array, NDJSON
  // with CRLF, and a gzip-compressed compact array.
  std::vector<std::string> a, b, c;
  for (int i = 1; i <= 4; ++i) a.push_back(Rec(i, "\"amount\": \"84.50\", \"code\": \"0012\""));
  for (int i = 5; i <= 7; ++i) b.push_back(Rec(i, "\"amount\": \"1.10\""));
  for (int i = 8; i <= 12; ++i) c.push_back(Rec(i, "\"code\": \"000\""));
  WriteFile("landing/a.json", ArrayDoc(a));
  WriteFile("landing/b.json", Ndjson(b, "\r\n"));
  WriteGzip("landing/c.json.gz", ArrayDoc(c, /*one_line=*/true));
  WriteFile("landing/ignored.csv", "id\n99\n");  // not matched by the glob

  const IngestResult r = MustIngest("run-42");
  EXPECT_EQ(r.files.size(), 3u);
  EXPECT_EQ(r.files_already_ingested, 0);

  // Every record is there once, at its position in its file.
  std::vector<std::vector<std::string>> expected;
  auto add = [&](const std::string& file, size_t n, int first_id) {
    for (size_t i = 0; i < n; ++i) {
      expected.push_back(
          {file, std::to_string(i + 1), std::to_string(first_id + static_cast<int>(i))});
    }
  };
  add("landing/a.json", a.size(), 1);
  add("landing/b.json", b.size(), 5);
  add("landing/c.json.gz", c.size(), 8);
  EXPECT_EQ(Texts("SELECT _source_file, _source_position::VARCHAR, id FROM " + Bronze() +
                  " ORDER BY id::INT"),
            expected);
  ExpectAccountedFor(static_cast<int64_t>(a.size() + b.size() + c.size()));
  EXPECT_EQ(QuarantineRows(), 0);

  // Text stays text, exactly; one run id; an ingestion time on every row.
  EXPECT_EQ(Int("SELECT count(*) FROM " + Bronze() + " WHERE amount = '84.50' AND code = '0012'"),
            4);
  EXPECT_EQ(Int("SELECT count(*) FROM " + Bronze() + " WHERE amount = '1.10'"), 3);
  EXPECT_EQ(Int("SELECT count(*) FROM " + Bronze() + " WHERE code = '000'"), 5);
  EXPECT_EQ(Texts("SELECT DISTINCT _run_id FROM " + Bronze()),
            (std::vector<std::vector<std::string>>{{"run-42"}}));
  EXPECT_EQ(Int("SELECT count(*) FROM " + Bronze() + " WHERE _ingested_at IS NULL"), 0);
  EXPECT_EQ(Texts("SELECT typeof(_ingested_at) FROM " + Bronze() + " LIMIT 1")[0][0],
            "TIMESTAMP WITH TIME ZONE");
}

TEST_F(FileIngestTest, NonStringValuesKeepTheirJsonText) {
  // Each value is written once as JSON and once, as the text expected in
  // bronze, in the string "want". Numbers that DuckDB's own reader would
  // print differently (1.50 -> 1.5) are the point of this test.
  struct Case {
    std::string json;
    std::string want;
  };
  const std::vector<Case> cases = {
      {"12", "12"},
      {"-7", "-7"},
      {"0.25", "0.25"},
      {"84.50", "84.50"},
      {"1.0", "1.0"},
      {"-0", "-0"},
      {"1E+2", "1E+2"},
      {"2.5e-3", "2.5e-3"},
      {"0.00001", "0.00001"},
      {"3.141592653589793238462", "3.141592653589793238462"},
      {"12345678901234567890123", "12345678901234567890123"},
      {"true", "true"},
      {"false", "false"},
      {"{\"x\" : [1, 2.50], \"y\": \"\\u00e9\\/\"}", "{\"x\":[1,2.50],\"y\":\"é/\"}"},
      {"[ ]", "[]"},
      {"\"a \\\"quoted\\\" \\\\ \\u00e9\"", "a \"quoted\" \\ é"},
  };
  std::vector<std::string> records;
  for (size_t i = 0; i < cases.size(); ++i) {
    records.push_back(Rec(static_cast<int>(i + 1), "\"v\": " + cases[i].json));
  }
  records.push_back(Rec(100, "\"v\": null"));
  WriteFile("landing/values.json", ArrayDoc(records));
  MustIngest();
  for (size_t i = 0; i < cases.size(); ++i) {
    EXPECT_EQ(Texts("SELECT v FROM " + Bronze() + " WHERE id = '" + std::to_string(i + 1) + "'"),
              (std::vector<std::vector<std::string>>{{cases[i].want}}))
        << cases[i].json;
  }
  EXPECT_EQ(Texts("SELECT v FROM " + Bronze() + " WHERE id = '100'"),
            (std::vector<std::vector<std::string>>{{kNull}}));
  ExpectAccountedFor(static_cast<int64_t>(records.size()));
}

TEST_F(FileIngestTest, ValuesReadTheSameWhicheverPathReadsTheFile) {
  // fast.json is read by DuckDB; slow.json has one corrupt record, so our
  // own reader reads it. The good records must come out identical.
  const std::vector<std::string> same = {
      Rec(1, "\"n\": 12, \"f\": 0.5, \"b\": true, \"o\": {\"k\" : [1.0, \"\\u00e9\\n\\/\"]}"),
      Rec(2, "\"s\": \"tab\\there \\\"q\\\"\", \"e\": {}, \"z\": -3"),
  };
  WriteFile("landing/fast.json", ArrayDoc(same));
  std::vector<std::string> slow = same;
  slow.push_back("{\"id\": \"3\", \"broken\": }");
  WriteFile("landing/slow.json", ArrayDoc(slow));
  MustIngest();
  const std::string cols = "id, n, f, b, o, s, e, z";
  EXPECT_EQ(
      Difference("SELECT " + cols + " FROM " + Bronze() + " WHERE _source_file LIKE '%fast%'",
                 "SELECT " + cols + " FROM " + Bronze() + " WHERE _source_file LIKE '%slow%'"),
      0);
  EXPECT_EQ(Texts("SELECT o, s FROM " + Bronze() +
                  " WHERE id = '1' OR id = '2' ORDER BY id, _source_file"),
            (std::vector<std::vector<std::string>>{{"{\"k\":[1.0,\"é\\n/\"]}", kNull},
                                                   {"{\"k\":[1.0,\"é\\n/\"]}", kNull},
                                                   {kNull, "tab\there \"q\""},
                                                   {kNull, "tab\there \"q\""}}));
  EXPECT_EQ(QuarantineRows(), 1);
  ExpectAccountedFor(5);
}

TEST_F(FileIngestTest, ByteOrderMarkAndPrettyPrintedSingleObject) {
  WriteFile("landing/bom.json", "\xEF\xBB\xBF" + ArrayDoc({Rec(1), Rec(2)}));
  // One pretty-printed object per file (a FHIR resource, say), with a
  // number that only our reader keeps as written.
  WriteFile("landing/single.json", "{\n  \"id\": \"3\",\n  \"value\": 37.50\n}\n");
  MustIngest();
  EXPECT_EQ(Texts("SELECT id, _source_position::VARCHAR, value FROM " + Bronze() + " ORDER BY id"),
            (std::vector<std::vector<std::string>>{
                {"1", "1", kNull}, {"2", "2", kNull}, {"3", "1", "37.50"}}));
  ExpectAccountedFor(3);
  EXPECT_EQ(QuarantineRows(), 0);
}

TEST_F(FileIngestTest, EmptyObjectsAreRowsWithLineageOnly) {
  WriteFile("landing/empty.json", "[{}, {}, {}]");
  WriteFile("landing/nd.json", "{}\n{}\n");
  MustIngest();
  EXPECT_EQ(
      Texts("SELECT _source_file, _source_position::VARCHAR FROM " + Bronze() + " ORDER BY ALL"),
      (std::vector<std::vector<std::string>>{{"landing/empty.json", "1"},
                                             {"landing/empty.json", "2"},
                                             {"landing/empty.json", "3"},
                                             {"landing/nd.json", "1"},
                                             {"landing/nd.json", "2"}}));
  ExpectAccountedFor(5);
}

TEST_F(FileIngestTest, EmptyFilesHaveNoRecords) {
  WriteFile("landing/empty.json", "");
  WriteFile("landing/blank.json", " \n\r\n");
  WriteFile("landing/array.json", "[ ]");
  WriteGzip("landing/empty.json.gz", "");
  const IngestResult r = MustIngest();
  EXPECT_EQ(r.files.size(), 4u);
  EXPECT_EQ(BronzeRows(), 0);
  EXPECT_EQ(QuarantineRows(), 0);
  EXPECT_EQ(MustIngest("run-2").files_already_ingested, 4);
}

TEST_F(FileIngestTest, KeysWithQuotesDotsAndSpacesOnBothPaths) {
  const std::string keys =
      R"("it's": "a", "say \"hi\"": "b", "a.b": "c", "with space": "d", "Größe": "e")";
  WriteFile("landing/fast.json", ArrayDoc({Rec(1, keys)}));
  WriteFile("landing/slow.json", ArrayDoc({Rec(2, keys + ", \"n\": 1.50")}));
  MustIngest();
  EXPECT_EQ(Texts(R"(SELECT id, "it's", "say ""hi""", "a.b", "with space", "Größe" FROM )" +
                  Bronze() + " ORDER BY id"),
            (std::vector<std::vector<std::string>>{{"1", "a", "b", "c", "d", "e"},
                                                   {"2", "a", "b", "c", "d", "e"}}));
}

TEST_F(FileIngestTest, NdjsonSourceReadsOneRecordPerLine) {
  source_.format = project::SourceFormat::kNdjson;
  const std::string doc =
      Rec(1) + "\n" + Rec(2, "\"v\": 2.50") + "\n{\"id\": \"3\",\n" + Rec(4) + "\n";
  WriteFile("landing/events.json", doc);
  MustIngest();
  EXPECT_EQ(Texts("SELECT id, v, _source_position::VARCHAR FROM " + Bronze() + " ORDER BY id"),
            (std::vector<std::vector<std::string>>{
                {"1", kNull, "1"}, {"2", "2.50", "2"}, {"4", kNull, "4"}}));
  EXPECT_EQ(
      Texts("SELECT _source_position::VARCHAR, _source_line::VARCHAR, _raw FROM " + Quarantine()),
      (std::vector<std::vector<std::string>>{{"3", "3", "{\"id\": \"3\","}}));
  ExpectAccountedFor(4);
}

TEST_F(FileIngestTest, PositionsFollowTheFileAlsoForLargeFiles) {
  // Large enough for DuckDB to read in parallel.
  constexpr int kRecords = 30000;
  std::string doc;
  for (int i = 1; i <= kRecords; ++i) {
    doc += "{\"seq\": " + std::to_string(i) + ", \"pad\": \"" + std::string(40, 'x') + "\"}\n";
  }
  WriteFile("landing/big.json", doc);
  MustIngest();
  EXPECT_EQ(BronzeRows(), kRecords);
  EXPECT_EQ(Int("SELECT count(*) FROM " + Bronze() + " WHERE seq::BIGINT <> _source_position"), 0);
}

TEST_F(FileIngestTest, NewKeyInALaterFileExtendsTheSchema) {
  WriteFile("landing/1.json", ArrayDoc({Rec(1, "\"a\": \"x\""), Rec(2, "\"a\": \"y\"")}));
  MustIngest("run-1");
  EXPECT_EQ(BronzeColumns(), (std::vector<std::string>{"id", "a", "_run_id", "_source_file",
                                                       "_source_position", "_ingested_at"}));
  WriteFile("landing/2.json", Ndjson({Rec(3, "\"a\": \"z\", \"allergy\": \"peanuts\"")}));
  MustIngest("run-2");
  const std::vector<std::string> cols = BronzeColumns();
  EXPECT_NE(std::find(cols.begin(), cols.end(), "allergy"), cols.end());
  EXPECT_EQ(
      Texts("SELECT id, a, allergy, _run_id FROM " + Bronze() + " ORDER BY id"),
      (std::vector<std::vector<std::string>>{
          {"1", "x", kNull, "run-1"}, {"2", "y", kNull, "run-1"}, {"3", "z", "peanuts", "run-2"}}));
  ExpectAccountedFor(3);
}

TEST_F(FileIngestTest, KeysDifferingOnlyInCaseAndRepeatedKeysDoNotFailTheRun) {
  // Bronze columns are case-insensitive: "Name" and "name" in different
  // records are one column; in one record they (and a repeated key, and an
  // empty key) make the record ambiguous, so it is quarantined.
  const std::vector<std::string> records = {
      Rec(1, "\"Name\": \"Ana\""),
      Rec(2, "\"name\": \"Bob\""),
      Rec(3, "\"Name\": \"C\", \"name\": \"c\""),
      Rec(4, "\"x\": \"1\", \"x\": \"2\""),
      Rec(5, "\"\": \"empty key\""),
  };
  WriteFile("landing/keys.json", ArrayDoc(records));
  MustIngest();
  EXPECT_EQ(Texts("SELECT id, name FROM " + Bronze() + " ORDER BY id"),
            (std::vector<std::vector<std::string>>{{"1", "Ana"}, {"2", "Bob"}}));
  EXPECT_EQ(
      Texts("SELECT _source_position::VARCHAR FROM " + Quarantine() + " ORDER BY _source_position"),
      (std::vector<std::vector<std::string>>{{"3"}, {"4"}, {"5"}}));
  ExpectAccountedFor(5);
}

TEST_F(FileIngestTest, AKeyNamedLikeALineageColumnIsAnErrorBeforeAnyCommit) {
  WriteFile("landing/a.json", ArrayDoc({Rec(1, "\"_source_file\": \"x\""), "{\"broken\": }"}));
  auto r = Ingest();
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("_source_file"), std::string::npos) << r.status();
  EXPECT_FALSE(Version(bronze_path_).has_value());
  EXPECT_FALSE(Version(quarantine_path_).has_value());
}

// --- Bad JSON ----------------------------------------------------------------

TEST_F(FileIngestTest, CorruptRecordInTheMiddleIsQuarantinedWithItsLocation) {
  const std::string bad = "{\"id\": \"3\", \"dose\": 5mg}";
  const std::vector<std::string> records = {Rec(1), Rec(2), bad, Rec(4), Rec(5)};
  const std::string doc = ArrayDoc(records);
  WriteFile("landing/visits.json", doc);
  const IngestResult r = MustIngest();
  EXPECT_EQ(
      Texts("SELECT id, _source_position::VARCHAR FROM " + Bronze() + " ORDER BY id"),
      (std::vector<std::vector<std::string>>{{"1", "1"}, {"2", "2"}, {"4", "4"}, {"5", "5"}}));
  const size_t offset = doc.find(bad);
  const auto q = Texts(
      "SELECT _source_file, _source_position::VARCHAR, _source_line::VARCHAR, "
      "_source_offset::VARCHAR, _raw, _run_id FROM " +
      Quarantine());
  ASSERT_EQ(q.size(), 1u);
  EXPECT_EQ(q[0], (std::vector<std::string>{"landing/visits.json", "3",
                                            std::to_string(LineAt(doc, offset)),
                                            std::to_string(offset), bad, "run-1"}));
  EXPECT_NE(Texts("SELECT _reason FROM " + Quarantine())[0][0].find("not valid JSON"),
            std::string::npos);
  ASSERT_EQ(r.files.size(), 1u);
  EXPECT_NE(r.files[0].first_error.find("record 3"), std::string::npos) << r.files[0].first_error;
  ExpectAccountedFor(static_cast<int64_t>(records.size()));
}

TEST_F(FileIngestTest, TruncatedDocumentKeepsTheCompleteRecords) {
  const std::vector<std::string> records = {Rec(1), Rec(2), Rec(3),
                                            Rec(4, "\"note\": \"cut here\"")};
  const std::string whole = ArrayDoc(records);
  const std::string cut = whole.substr(0, whole.find("cut here") + 3);  // inside record 4's string
  WriteFile("landing/cut.json", cut);
  MustIngest();
  EXPECT_EQ(Texts("SELECT id FROM " + Bronze() + " ORDER BY id"),
            (std::vector<std::vector<std::string>>{{"1"}, {"2"}, {"3"}}));
  const auto q =
      Texts("SELECT _source_position::VARCHAR, _source_offset::VARCHAR, _raw FROM " + Quarantine());
  ASSERT_EQ(q.size(), 1u);
  const size_t offset = whole.find("{\"id\": \"4\"");
  EXPECT_EQ(q[0], (std::vector<std::string>{"4", std::to_string(offset), cut.substr(offset)}));
  EXPECT_NE(Texts("SELECT _reason FROM " + Quarantine())[0][0].find("truncated"),
            std::string::npos);
  ExpectAccountedFor(4);
}

TEST_F(FileIngestTest, DocumentCutBeforeItsClosingBracketKeepsEveryRecord) {
  const std::vector<std::string> records = {Rec(1), Rec(2)};
  std::string doc = ArrayDoc(records);
  doc = doc.substr(0, doc.rfind(']'));
  WriteFile("landing/cut.json", doc);
  MustIngest();
  EXPECT_EQ(BronzeRows(), 2);
  // The missing `]` is noted for the file, not as a record.
  EXPECT_EQ(Texts("SELECT _source_position IS NULL, _raw IS NULL FROM " + Quarantine()),
            (std::vector<std::vector<std::string>>{{"true", "true"}}));
  ExpectAccountedFor(2);
}

TEST_F(FileIngestTest, RecordThatIsANumberIsQuarantined) {
  const std::vector<std::string> records = {Rec(1), "42", Rec(3)};
  WriteFile("landing/n.json", ArrayDoc(records));
  MustIngest();
  EXPECT_EQ(Texts("SELECT id, _source_position::VARCHAR FROM " + Bronze() + " ORDER BY id"),
            (std::vector<std::vector<std::string>>{{"1", "1"}, {"3", "3"}}));
  const auto q = Texts("SELECT _source_position::VARCHAR, _raw, _reason FROM " + Quarantine());
  ASSERT_EQ(q.size(), 1u);
  EXPECT_EQ(q[0][0], "2");
  EXPECT_EQ(q[0][1], "42");
  EXPECT_NE(q[0][2].find("not an object"), std::string::npos) << q[0][2];
  ExpectAccountedFor(3);
}

TEST_F(FileIngestTest, InvalidUtf8InOneRecordQuarantinesOnlyThatRecord) {
  const std::vector<std::string> records = {Rec(1, "\"name\": \"Jos\xC3\xA9\""),
                                            Rec(2, "\"name\": \"Jos\xE9\""),  // latin-1
                                            Rec(3, "\"name\": \"Z\xC3\xBC\"")};
  const std::string doc = ArrayDoc(records);
  WriteFile("landing/array.json", doc);
  WriteFile("landing/lines.json", Ndjson(records));
  MustIngest();
  EXPECT_EQ(Texts("SELECT _source_file, id, name FROM " + Bronze() + " ORDER BY ALL"),
            (std::vector<std::vector<std::string>>{{"landing/array.json", "1", "José"},
                                                   {"landing/array.json", "3", "Zü"},
                                                   {"landing/lines.json", "1", "José"},
                                                   {"landing/lines.json", "3", "Zü"}}));
  const auto q = Texts("SELECT _source_file, _source_position::VARCHAR, _reason FROM " +
                       Quarantine() + " ORDER BY ALL");
  ASSERT_EQ(q.size(), 2u);
  EXPECT_EQ(q[0][1], "2");
  EXPECT_EQ(q[1][1], "2");
  const size_t bad_byte = doc.find('\xE9');
  EXPECT_NE(q[0][2].find("invalid UTF-8 at byte " + std::to_string(bad_byte)), std::string::npos)
      << q[0][2];
  ExpectAccountedFor(6);
}

TEST_F(FileIngestTest, CorruptGzipFileIsQuarantinedWholeAndTheRunGoesOn) {
  WriteFile("landing/garbage.json.gz", std::string("\x1f\x8b\x08\x00", 4) + "not deflate data");
  // A valid gzip stream cut in half.
  std::vector<std::string> records;
  for (int i = 0; i < 200; ++i)
    records.push_back(Rec(i, "\"pad\": \"" + std::to_string(i * 7919) + "\""));
  WriteGzip("landing/halved.json.gz", ArrayDoc(records));
  std::ifstream in(PathOf("landing/halved.json.gz"), std::ios::binary);
  std::string gz((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  WriteFile("landing/halved.json.gz", gz.substr(0, gz.size() / 2));
  WriteFile("landing/good.json", ArrayDoc({Rec(1), Rec(2)}));
  const IngestResult r = MustIngest();
  EXPECT_EQ(r.files.size(), 3u);
  EXPECT_EQ(Texts("SELECT DISTINCT _source_file FROM " + Bronze()),
            (std::vector<std::vector<std::string>>{{"landing/good.json"}}));
  EXPECT_EQ(BronzeRows(), 2);
  EXPECT_EQ(
      Texts("SELECT _source_file, _source_position IS NULL FROM " + Quarantine() + " ORDER BY ALL"),
      (std::vector<std::vector<std::string>>{{"landing/garbage.json.gz", "true"},
                                             {"landing/halved.json.gz", "true"}}));
  // Both are recorded as ingested: a rerun reads neither again.
  const IngestResult again = MustIngest("run-2");
  EXPECT_EQ(again.files_already_ingested, 3);
  EXPECT_EQ(QuarantineRows(), 2);
}

TEST_F(FileIngestTest, GzipFileWithABadRecordGoesThroughTheSlowPath) {
  const std::vector<std::string> records = {Rec(1), "{\"id\": \"2\",}x", Rec(3, "\"v\": 1.50")};
  WriteGzip("landing/mixed.json.gz", Ndjson(records));
  MustIngest();
  EXPECT_EQ(Texts("SELECT id, v FROM " + Bronze() + " ORDER BY id"),
            (std::vector<std::vector<std::string>>{{"1", kNull}, {"3", "1.50"}}));
  EXPECT_EQ(Texts("SELECT _source_position::VARCHAR, _source_line::VARCHAR FROM " + Quarantine()),
            (std::vector<std::vector<std::string>>{{"2", "2"}}));
  ExpectAccountedFor(3);
}

// --- CSV ---------------------------------------------------------------------

class CsvIngestTest : public FileIngestTest {
 protected:
  void SetUp() override {
    FileIngestTest::SetUp();
    source_.format = project::SourceFormat::kCsv;
    source_.path = "landing/*.csv*";
  }
};

TEST_F(CsvIngestTest, WrongColumnCountQuarantinesThatLineWithItsFileLine) {
  // A quoted field spanning two lines comes first, so that record numbers
  // and line numbers differ.
  const std::string doc =
      "id,name,amount\n"
      "1,\"Ana\nSilva\",84.50\n"
      "2,Bob,0012,extra\n"
      "3,Cy,7\n"
      "4,Dee\n"
      "5,Eve,9";
  WriteFile("landing/visits.csv", doc);
  MustIngest();
  EXPECT_EQ(
      Texts("SELECT id, name, amount, _source_position::VARCHAR FROM " + Bronze() + " ORDER BY id"),
      (std::vector<std::vector<std::string>>{
          {"1", "Ana\nSilva", "84.50", "1"}, {"3", "Cy", "7", "2"}, {"5", "Eve", "9", "3"}}));
  const size_t bob = doc.find("2,Bob"), dee = doc.find("4,Dee");
  EXPECT_EQ(Texts("SELECT _source_line::VARCHAR, _source_offset::VARCHAR, _raw, "
                  "_source_position IS NULL FROM " +
                  Quarantine() + " ORDER BY _source_line"),
            (std::vector<std::vector<std::string>>{
                {std::to_string(LineAt(doc, bob)), std::to_string(bob), "2,Bob,0012,extra", "true"},
                {std::to_string(LineAt(doc, dee)), std::to_string(dee), "4,Dee", "true"}}));
  EXPECT_EQ(LineAt(doc, bob), 4);  // the test's own arithmetic, spelled out
  // 5 data records: 3 in bronze, 2 quarantined.
  EXPECT_EQ(BronzeRows() + QuarantineRows(), 5);
}

TEST_F(CsvIngestTest, LineWithInvalidUtf8IsQuarantinedOnceAndTheRestKept) {
  // Line 3 has a latin-1 byte and a column too many: two errors, one record.
  const std::string doc =
      "id,name\r\n"
      "1,Jos\xC3\xA9\r\n"
      "2,Jos\xE9,x\r\n"
      "3,Ren\xE9\r\n"
      "4,Zo\xC3\xAB\r\n";
  WriteFile("landing/names.csv", doc);
  MustIngest();
  EXPECT_EQ(Texts("SELECT id, name FROM " + Bronze() + " ORDER BY id"),
            (std::vector<std::vector<std::string>>{{"1", "José"}, {"4", "Zoë"}}));
  const size_t two = doc.find("2,Jos"), three = doc.find("3,Ren");
  EXPECT_EQ(Texts("SELECT _source_line::VARCHAR, _source_offset::VARCHAR, _raw FROM " +
                  Quarantine() + " ORDER BY _source_line"),
            (std::vector<std::vector<std::string>>{
                {std::to_string(LineAt(doc, two)), std::to_string(two), "2,Jos?,x"},
                {std::to_string(LineAt(doc, three)), std::to_string(three), "3,Ren?"}}));
  EXPECT_EQ(BronzeRows() + QuarantineRows(), 4);
}

TEST_F(CsvIngestTest, DelimitersQuotesLineEndsAndByteOrderMark) {
  source_.delimiter = ';';
  const std::string doc =
      "\xEF\xBB\xBFid;note;code\r\n"
      "1;\"a;b\";0012\r\n"
      "2;\"line one\r\nline two\";0013\r\n"
      "3;\"she said \"\"hi\"\"\";\r\n";
  WriteFile("landing/semi.csv", doc);
  MustIngest();
  EXPECT_EQ(BronzeColumns()[0], "id");  // the BOM is not part of the first name
  EXPECT_EQ(Texts("SELECT id, note, coalesce(code, '" + std::string(kNull) + "') FROM " + Bronze() +
                  " ORDER BY id"),
            (std::vector<std::vector<std::string>>{{"1", "a;b", "0012"},
                                                   {"2", "line one\r\nline two", "0013"},
                                                   {"3", "she said \"hi\"", kNull}}));
  EXPECT_EQ(QuarantineRows(), 0);
}

TEST_F(CsvIngestTest, TabDelimitedWithoutHeader) {
  source_.delimiter = '\t';
  source_.header = false;
  WriteFile("landing/t.csv", "1\tAna\t84.50\n2\tBob\t0012\n");
  MustIngest();
  EXPECT_EQ(Texts("SELECT * EXCLUDE (_run_id, _source_file, _ingested_at) FROM " + Bronze() +
                  " ORDER BY 1"),
            (std::vector<std::vector<std::string>>{{"1", "Ana", "84.50", "1"},
                                                   {"2", "Bob", "0012", "2"}}));
  EXPECT_EQ(BronzeRows(), 2);
}

TEST_F(CsvIngestTest, Latin1IsConvertedToUtf8) {
  source_.encoding = project::Encoding::kLatin1;
  const std::string doc = "id,name\n1,Jos\xE9\n2,Fran\xE7ois,extra\n3,M\xFCller\n";
  WriteFile("landing/l1.csv", doc);
  MustIngest();
  EXPECT_EQ(Texts("SELECT id, name FROM " + Bronze() + " ORDER BY id"),
            (std::vector<std::vector<std::string>>{{"1", "José"}, {"3", "Müller"}}));
  // The bad line is located in the file's own bytes, and shown converted.
  const size_t two = doc.find("2,Fran");
  EXPECT_EQ(
      Texts("SELECT _source_line::VARCHAR, _source_offset::VARCHAR, _raw FROM " + Quarantine()),
      (std::vector<std::vector<std::string>>{
          {std::to_string(LineAt(doc, two)), std::to_string(two), "2,François,extra"}}));
}

TEST_F(CsvIngestTest, GzipCsvAndCorruptGzipCsv) {
  WriteGzip("landing/ok.csv.gz", "id,v\n1,a\n2,b,c\n3,d\n");
  WriteFile("landing/bad.csv.gz", std::string("\x1f\x8b\x08\x00", 4) + "garbage");
  const IngestResult r = MustIngest();
  EXPECT_EQ(r.files.size(), 2u);
  EXPECT_EQ(Texts("SELECT id FROM " + Bronze() + " ORDER BY id"),
            (std::vector<std::vector<std::string>>{{"1"}, {"3"}}));
  EXPECT_EQ(
      Texts("SELECT _source_file, _source_line::VARCHAR FROM " + Quarantine() + " ORDER BY ALL"),
      (std::vector<std::vector<std::string>>{{"landing/bad.csv.gz", kNull},
                                             {"landing/ok.csv.gz", "3"}}));
}

// A CSV export of an empty table: the header names bronze's columns (VARCHAR,
// like every bronze column) before the first row arrives.
TEST_F(CsvIngestTest, HeaderOnlyFileGivesBronzeTheHeadersColumns) {
  struct Variant {
    std::string name;
    std::string text;
    bool gzip;
  };
  const std::vector<Variant> variants = {
      {"lf", "id,name,amount\n", false},     {"no_final_newline", "id,name,amount", false},
      {"crlf", "id,name,amount\r\n", false}, {"blank_line", "id,name,amount\n\n", false},
      {"gzip", "id,name,amount\n", true},
  };
  for (const Variant& v : variants) {
    SCOPED_TRACE(v.name);
    source_.path = "landing/" + v.name + "/*.csv*";
    bronze_path_ = (dir_ / "lake" / "bronze" / v.name).string();
    quarantine_path_ = (dir_ / "lake" / "bronze" / (v.name + "__quarantine")).string();
    const std::string file = "landing/" + v.name + "/empty.csv" + (v.gzip ? ".gz" : "");
    if (v.gzip) {
      WriteGzip(file, v.text);
    } else {
      WriteFile(file, v.text);
    }
    const IngestResult r = MustIngest();
    ASSERT_EQ(r.files.size(), 1u);
    EXPECT_EQ(r.files[0].records, 0);
    EXPECT_EQ(BronzeColumns(),
              (std::vector<std::string>{"id", "name", "amount", "_run_id", "_source_file",
                                        "_source_position", "_ingested_at"}));
    EXPECT_EQ(Texts("SELECT column_name, column_type FROM (DESCRIBE SELECT id, name, amount FROM " +
                    Bronze() + ")"),
              (std::vector<std::vector<std::string>>{
                  {"id", "VARCHAR"}, {"name", "VARCHAR"}, {"amount", "VARCHAR"}}));
    EXPECT_EQ(BronzeRows(), 0);
    EXPECT_EQ(QuarantineRows(), 0);
    EXPECT_EQ(MustIngest("run-2").files_already_ingested, 1);
  }
}

TEST_F(CsvIngestTest, RowsAfterAHeaderOnlyFileLandInTheSameColumns) {
  WriteFile("landing/a_empty.csv", "id,name,amount\n");
  MustIngest("run-1");
  const std::vector<std::string> columns = BronzeColumns();
  WriteFile("landing/b_rows.csv", "id,name,amount\n1,Ana,84.50\n2,Bob,0012\n");
  const IngestResult r = MustIngest("run-2");
  ASSERT_EQ(r.files.size(), 1u);
  EXPECT_EQ(BronzeColumns(), columns);
  EXPECT_EQ(Texts("SELECT id, name, amount, _run_id FROM " + Bronze() + " ORDER BY id"),
            (std::vector<std::vector<std::string>>{{"1", "Ana", "84.50", "run-2"},
                                                   {"2", "Bob", "0012", "run-2"}}));
  ExpectAccountedFor(2);
}

TEST_F(CsvIngestTest, HeaderOnlyFileBesideFilesWithRowsInOneBatch) {
  WriteFile("landing/a_empty.csv", "id,name,note\n");
  WriteFile("landing/b_rows.csv", "id,name\n1,Ana\n");
  MustIngest();
  EXPECT_EQ(BronzeColumns(),
            (std::vector<std::string>{"id", "name", "note", "_run_id", "_source_file",
                                      "_source_position", "_ingested_at"}));
  EXPECT_EQ(Texts("SELECT id, name, coalesce(note, '" + std::string(kNull) +
                  "'), _source_file FROM " + Bronze()),
            (std::vector<std::vector<std::string>>{{"1", "Ana", kNull, "landing/b_rows.csv"}}));
}

// --- Exactly once ------------------------------------------------------------

TEST_F(FileIngestTest, RerunWithNothingNewCommitsNothing) {
  WriteFile("landing/a.json", ArrayDoc({Rec(1), Rec(2)}));
  WriteFile("landing/b.json", ArrayDoc({Rec(3), "{bad}"}));
  MustIngest("run-1");
  const auto bronze_version = Version(bronze_path_);
  const auto quarantine_version = Version(quarantine_path_);
  ASSERT_TRUE(bronze_version.has_value());

  const IngestResult again = MustIngest("run-2");
  EXPECT_TRUE(again.files.empty());
  EXPECT_EQ(again.files_already_ingested, 2);
  EXPECT_EQ(again.commits, 0);
  EXPECT_EQ(again.bronze_version, bronze_version);
  EXPECT_EQ(Version(bronze_path_), bronze_version);
  EXPECT_EQ(Version(quarantine_path_), quarantine_version);
  EXPECT_EQ(BronzeRows(), 3);
  EXPECT_EQ(QuarantineRows(), 1);
}

TEST_F(FileIngestTest, NewFileIsTheOnlyOneIngested) {
  WriteFile("landing/a.json", ArrayDoc({Rec(1), Rec(2)}));
  MustIngest("run-1");
  WriteFile("landing/b.json", ArrayDoc({Rec(3), Rec(4), Rec(5)}));
  const IngestResult r = MustIngest("run-2");
  ASSERT_EQ(r.files.size(), 1u);
  EXPECT_EQ(r.files[0].file, "landing/b.json");
  EXPECT_EQ(r.files_already_ingested, 1);
  EXPECT_EQ(Texts("SELECT _run_id, count(*)::VARCHAR FROM " + Bronze() + " GROUP BY 1 ORDER BY 1"),
            (std::vector<std::vector<std::string>>{{"run-1", "2"}, {"run-2", "3"}}));
  ExpectAccountedFor(5);
}

TEST_F(FileIngestTest, SmallBatchesCommitSeparatelyAndLoseNothing) {
  for (int f = 0; f < 5; ++f) {
    WriteFile("landing/f" + std::to_string(f) + ".json",
              Ndjson({Rec(f * 10 + 1), Rec(f * 10 + 2)}));
  }
  IngestRequest request = Request("run-1");
  request.max_batch_files = 2;
  std::vector<std::string> progress;
  request.progress = [&](const std::string& line) { progress.push_back(line); };
  auto r = IngestFiles(request, LocalFileSystem(), *conn_);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(progress.size(), 3u);  // batches of 2, 2 and 1 files
  EXPECT_EQ(Version(bronze_path_), std::optional<int64_t>(2));
  ExpectAccountedFor(10);
}

TEST_F(FileIngestTest, AStopRequestEndsAtABatchBoundaryAndTheRestComesOnce) {
  for (int f = 0; f < 5; ++f) {
    WriteFile("landing/f" + std::to_string(f) + ".json",
              Ndjson({Rec(f * 10 + 1), Rec(f * 10 + 2)}));
  }
  // Asked to stop before it begins: nothing is read or committed.
  std::stop_source early;
  early.request_stop();
  IngestRequest request = Request("run-1");
  request.max_batch_files = 2;
  request.stop = early.get_token();
  auto none = IngestFiles(request, LocalFileSystem(), *conn_);
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.status().code(), StatusCode::kCancelled) << none.status();
  EXPECT_EQ(Version(bronze_path_), std::nullopt);

  // Asked to stop once the first batch is committed: that batch stays.
  std::stop_source stop;
  request.stop = stop.get_token();
  request.progress = [&](const std::string&) { stop.request_stop(); };
  auto part = IngestFiles(request, LocalFileSystem(), *conn_);
  ASSERT_FALSE(part.ok());
  EXPECT_EQ(part.status().code(), StatusCode::kCancelled) << part.status();
  EXPECT_NE(part.status().message().find("after 2 of 5 new files"), std::string::npos)
      << part.status();
  EXPECT_EQ(BronzeRows(), 4);

  // The next call ingests the other three files, each once.
  request.stop = std::stop_token();
  request.progress = nullptr;
  auto rest = IngestFiles(request, LocalFileSystem(), *conn_);
  ASSERT_TRUE(rest.ok()) << rest.status();
  EXPECT_EQ(rest->files.size(), 3u);
  EXPECT_EQ(rest->files_already_ingested, 2);
  ExpectAccountedFor(10);
}

TEST_F(FileIngestTest, TheInjectedClockStampsIngestedAt) {
  WriteFile("landing/a.json", ArrayDoc({Rec(1), Rec(2)}));
  FakeClock clock(1'600'000'000'000);  // 2020-09-13 12:26:40 UTC
  IngestRequest request = Request("run-1");
  request.clock = &clock;
  auto r = IngestFiles(request, LocalFileSystem(), *conn_);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(Texts("SELECT DISTINCT epoch_ms(_ingested_at) FROM " + Bronze()),
            (std::vector<std::vector<std::string>>{{"1600000000000"}}));
  delta::DeltaTable bronze(LocalFileSystem(), bronze_path_, *conn_);
  auto history = bronze.History();
  ASSERT_TRUE(history.ok()) << history.status();
  EXPECT_EQ((*history)[0].timestamp_ms, 1'600'000'000'000);
}

TEST_F(FileIngestTest, KillBetweenQuarantineAndBronzeCommitsDoesNotQuarantineTwice) {
  const std::vector<std::string> records = {Rec(1), Rec(2), "{\"id\": \"3\", oops}", Rec(4)};
  WriteFile("landing/a.json", ArrayDoc(records));
  // The run that was killed: its quarantine commit landed, its bronze commit
  // did not (here it went to a table nobody reads).
  {
    IngestRequest killed = Request("run-killed");
    killed.bronze_path = (dir_ / "lake" / "lost_bronze").string();
    ASSERT_TRUE(IngestFiles(killed, LocalFileSystem(), *conn_).ok());
  }
  ASSERT_EQ(QuarantineRows(), 1);
  const auto quarantine_version = Version(quarantine_path_);
  EXPECT_FALSE(Version(bronze_path_).has_value());

  const IngestResult rerun = MustIngest("run-rerun");
  EXPECT_EQ(rerun.commits, 1);  // bronze only
  EXPECT_EQ(Version(quarantine_path_), quarantine_version);
  EXPECT_EQ(Texts("SELECT _run_id, _source_position::VARCHAR FROM " + Quarantine()),
            (std::vector<std::vector<std::string>>{{"run-killed", "3"}}));
  EXPECT_EQ(Texts("SELECT id FROM " + Bronze() + " ORDER BY id"),
            (std::vector<std::vector<std::string>>{{"1"}, {"2"}, {"4"}}));
  ExpectAccountedFor(4);
  // And once bronze has it, the file is done.
  EXPECT_EQ(MustIngest("run-3").files_already_ingested, 1);
  EXPECT_EQ(BronzeRows(), 3);
}

TEST_F(FileIngestTest, QuarantineTxnWrittenByHandIsHonoured) {
  // The same crash window, set up directly: the quarantine already holds the
  // file's application id.
  WriteFile("landing/a.json", ArrayDoc({Rec(1), "42"}));
  delta::DeltaTable quarantine(LocalFileSystem(), quarantine_path_, *conn_);
  delta::WriteOptions options;
  options.txns = {{std::string(kFileAppPrefix) + "landing/a.json", 1, std::nullopt}};
  ASSERT_TRUE(quarantine
                  .Write("SELECT 'run-0' AS _run_id, 'landing/a.json' AS _source_file, 2::BIGINT "
                         "AS _source_position, 1::BIGINT AS _source_line, 0::BIGINT AS "
                         "_source_offset, 'x' AS _reason, 'x' AS _raw, now() AS _ingested_at",
                         options)
                  .ok());
  MustIngest();
  EXPECT_EQ(QuarantineRows(), 1);
  EXPECT_EQ(BronzeRows(), 1);
}

// A file modified within min_file_age may still be written: it is left for
// a later run, which ingests it once it has settled.
TEST_F(FileIngestTest, FilesYoungerThanMinFileAgeWaitForALaterRun) {
  WriteFile("landing/old.json", R"([{"id": 1}])");
  WriteFile("landing/new.json", R"([{"id": 2}, {"id": 3}])");
  const std::string old_path = PathOf("landing/old.json");
  std::filesystem::last_write_time(
      old_path, std::filesystem::last_write_time(old_path) - std::chrono::minutes(5));
  FakeClock clock(std::chrono::duration_cast<std::chrono::milliseconds>(
                      std::chrono::system_clock::now().time_since_epoch())
                      .count());
  IngestRequest req = Request("run-1");
  req.clock = &clock;
  req.min_file_age = std::chrono::seconds(60);
  auto pending = ListPendingFiles(req, LocalFileSystem(), *conn_);
  ASSERT_TRUE(pending.ok()) << pending.status();
  EXPECT_EQ(pending->new_files, std::vector<std::string>{"landing/old.json"});
  EXPECT_EQ(pending->settling, 1);
  auto first = IngestFiles(req, LocalFileSystem(), *conn_);
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(first->files.size(), 1u);
  EXPECT_EQ(first->rows_written, 1);
  ASSERT_EQ(first->warnings.size(), 1u);
  EXPECT_NE(first->warnings[0].find("1 new files modified in the last 60 s"), std::string::npos);

  clock.Advance(61'000);  // now it has settled
  req.run_id = "run-2";
  auto second = IngestFiles(req, LocalFileSystem(), *conn_);
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_EQ(second->files.size(), 1u);
  EXPECT_EQ(second->rows_written, 2);
  EXPECT_EQ(Int("SELECT count(*) FROM " + Scan(bronze_path_)), 3);
}

// A stop while DuckDB reads a CSV file interrupts the read: the ingest is
// cancelled and the file is neither quarantined nor marked as ingested, so a
// later run reads all of it (an interrupt is not bad data).
TEST_F(CsvIngestTest, AStopDuringTheReadCancelsWithoutQuarantiningTheFile) {
  std::string doc = "visit_id,patient_id,ward\n";
  const int64_t rows = 1'500'000;
  for (int64_t i = 0; i < rows; ++i) {
    doc += std::to_string(i) + "," + std::to_string(i % 9973) + ",ward-" + std::to_string(i % 7) +
           "\n";
  }
  WriteFile("landing/big.csv", doc);
  std::stop_source stop;
  IngestRequest req = Request("run-stopped");
  req.stop = stop.get_token();
  std::thread stopper([&stop] {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));  // the read takes ~0.5 s
    stop.request_stop();
  });
  auto r = IngestFiles(req, LocalFileSystem(), *conn_);
  stopper.join();
  EXPECT_EQ(QuarantineRows(), 0) << "an interrupted read quarantined the file";
  if (r.ok()) {  // the read won the race
    EXPECT_EQ(BronzeRows(), rows);
    return;
  }
  EXPECT_EQ(r.status().code(), StatusCode::kCancelled) << r.status();
  const IngestResult done = MustIngest("run-2");
  EXPECT_EQ(done.files.size(), 1u) << "the file was marked as ingested by the stopped run";
  EXPECT_EQ(BronzeRows(), rows);
}

}  // namespace
}  // namespace carelake::ingest
