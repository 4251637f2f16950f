#include "carelake/query/session.h"

#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <set>
#include <utility>

#include "carelake/catalog/lake_catalog.h"
#include "carelake/delta/sql_rewrite.h"
#include "carelake/engine/lake_connection.h"
#include "carelake/engine/statement_kind.h"
#include "carelake/query/file_functions.h"
#include "carelake/sql/lexer.h"

namespace carelake::query {
namespace {

// What an untrusted session may run.
bool IsRead(engine::StatementKind kind) {
  switch (kind) {
    case engine::StatementKind::kSelect:
    case engine::StatementKind::kExplain:
    case engine::StatementKind::kSet:
    case engine::StatementKind::kTransaction:
      return true;
    default:
      return false;
  }
}

constexpr char kSpillPrefix[] = "carelake-session-";

// Removes the spill folders of sessions whose process is gone (killed before
// its sessions could remove them): `carelake-session-<pid>-XXXXXX` with no
// process `pid`. Another user's folders are left alone (no permission).
// Once per process and folder, not per session: a SQL server opens one per
// connection.
void RemoveOrphanedSpillFolders(const std::filesystem::path& temp) {
  static std::mutex mutex;
  static std::set<std::string> swept;
  {
    std::lock_guard lock(mutex);
    if (!swept.insert(temp.string()).second) return;
  }
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(temp, ec)) {
    const std::string name = entry.path().filename().string();
    if (name.rfind(kSpillPrefix, 0) != 0) continue;
    const char* digits = name.c_str() + sizeof(kSpillPrefix) - 1;
    char* end = nullptr;
    const long pid = std::strtol(digits, &end, 10);
    if (end == digits || *end != '-' || pid <= 0) continue;
    if (::kill(static_cast<pid_t>(pid), 0) == 0 || errno != ESRCH) continue;
    std::error_code ignored;
    std::filesystem::remove_all(entry.path(), ignored);
  }
}

}  // namespace

Session::~Session() {
  catalog_.reset();
  conn_.reset();
  db_.reset();
  if (!temp_dir_.empty()) {
    std::error_code ec;
    std::filesystem::remove_all(temp_dir_, ec);
  }
}

Result<std::unique_ptr<Session>> Session::Open(const SessionOptions& options, FileSystem& fs) {
  std::unique_ptr<Session> s(new Session());
  s->fs_ = &fs;
  s->untrusted_ = options.untrusted;
  s->allow_session_objects_ = options.allow_session_objects;
  s->catalog_only_ = options.catalog_only;
  s->project_ = options.project;
  if (options.untrusted) {
    if (!s->project_) {
      return InvalidArgument("an untrusted session needs a project: its lake is what it reads");
    }
    if (!options.database.empty()) {
      return InvalidArgument("an untrusted session cannot open a database file");
    }
    // Only the tables' folders: never the rest of the lake, where the
    // project keeps its users (verifiers) and the SQL server's TLS key.
    std::vector<std::string> tables;
    for (const catalog::CatalogTable& t : catalog::ProjectTables(*s->project_)) {
      tables.push_back(std::filesystem::absolute(t.path).lexically_normal().string());
    }
    engine::DatabaseOptions db_options;
    db_options.config = options.database_config;
    // A private folder for what the session's queries spill, which no other
    // session may read, removed with the session.
    RemoveOrphanedSpillFolders(std::filesystem::temp_directory_path());
    std::string temp = (std::filesystem::temp_directory_path() /
                        (kSpillPrefix + std::to_string(::getpid()) + "-XXXXXX"))
                           .string();
    if (::mkdtemp(temp.data()) == nullptr) {
      return Internal("cannot create a temporary folder for the session in " +
                      std::filesystem::temp_directory_path().string());
    }
    s->temp_dir_ = temp;
    db_options.config.emplace_back("temp_directory", temp);
    db_options.config.emplace_back("max_temp_directory_size", options.max_spill);
    CARELAKE_ASSIGN_OR_RETURN(s->db_, engine::Database::OpenLockedDown(tables, db_options));
    s->confined_ = std::make_unique<ConfinedFileSystem>(fs, tables);
    s->fs_ = s->confined_.get();
  } else {
    engine::DatabaseOptions db_options;
    db_options.path = options.database;
    db_options.config = options.database_config;
    CARELAKE_ASSIGN_OR_RETURN(s->db_, engine::Database::Open(db_options));
  }
  if (options.untrusted) {  // in UTC already; its configuration is locked
    CARELAKE_ASSIGN_OR_RETURN(engine::Connection conn, engine::Connection::Open(*s->db_));
    s->conn_.emplace(std::move(conn));
  } else {
    CARELAKE_ASSIGN_OR_RETURN(engine::Connection conn, engine::OpenLakeConnection(*s->db_));
    s->conn_.emplace(std::move(conn));
  }
  if (s->project_) {
    s->catalog_.emplace(*s->project_, *s->fs_);  // views appear at the first Execute()
  }
  return s;
}

bool Session::Allowed(engine::StatementKind kind) const {
  if (IsRead(kind)) return true;
  if (!allow_session_objects_) return false;
  switch (kind) {
    case engine::StatementKind::kCreate:
    case engine::StatementKind::kInsert:
    case engine::StatementKind::kUpdate:
    case engine::StatementKind::kDelete:
    case engine::StatementKind::kDrop:
    case engine::StatementKind::kAlter:
      return true;
    default:
      return false;
  }
}

Status Session::CheckReadOnly(const std::string& sql) {
  CARELAKE_ASSIGN_OR_RETURN(std::vector<engine::StatementKind> kinds,
                            engine::StatementKinds(*conn_, sql));
  for (size_t i = 0; i < kinds.size(); ++i) {
    if (!Allowed(kinds[i])) {
      return PermissionDenied("statement " + std::to_string(i + 1) + " (" +
                              std::string(engine::ToString(kinds[i])) +
                              ") is not allowed: this session is read-only");
    }
  }
  return Status::Ok();
}

Status Session::Refresh() {
  if (!catalog_ || pinned_) return Status::Ok();
  CARELAKE_ASSIGN_OR_RETURN(catalog::RefreshResult moved, catalog_->Refresh(*conn_));
  if (system_views_ && moved.replaced.empty() && moved.dropped.empty()) return Status::Ok();
  // `_system.tables` and `_system.columns` from the snapshots the views read:
  // rebuilt only when a table moved, without reading any log again.
  std::vector<catalog::CatalogEntry> entries;
  for (const catalog::CatalogTable& t : catalog_->tables()) {
    delta::SnapshotPtr snapshot = catalog_->Snapshot(t.Qualified());
    entries.push_back(catalog::DescribeTable(*project_, t, snapshot.get()));
  }
  CARELAKE_RETURN_IF_ERROR(catalog::InstallSystemViews(entries, *conn_));
  system_views_ = true;
  return Status::Ok();
}

Status Session::CheckPolicy(const std::string& sql) {
  if (!catalog_only_) return Status::Ok();
  for (const sql::Reference& ref : sql::References(sql)) {
    if (ref.kind == sql::Reference::Kind::kFromString) {
      return PermissionDenied("reading files is not allowed (\'" + ref.text + "\' at offset " +
                              std::to_string(ref.offset) +
                              "): this session reads the lake through its tables");
    }
    if (ReachesFiles(ref.text)) {
      return PermissionDenied("function " + ref.text + "() is not allowed (offset " +
                              std::to_string(ref.offset) +
                              "): this session reads the lake through its tables");
    }
  }
  return Status::Ok();
}

Result<engine::PreparedStatement> Session::Prepare(const std::string& sql) {
  if (untrusted_) CARELAKE_RETURN_IF_ERROR(CheckPolicy(sql));
  CARELAKE_RETURN_IF_ERROR(Refresh());
  CARELAKE_ASSIGN_OR_RETURN(std::string expanded, delta::ExpandDeltaScans(sql, *conn_, *fs_));
  CARELAKE_ASSIGN_OR_RETURN(engine::PreparedStatement prepared, conn_->Prepare(expanded));
  if (untrusted_ && !Allowed(prepared.kind())) {
    return PermissionDenied(std::string(engine::ToString(prepared.kind())) +
                            " is not allowed: this session is read-only");
  }
  return prepared;
}

Status Session::Execute(const std::string& sql,
                        const std::function<Status(engine::QueryResult&)>& on_result) {
  if (untrusted_) CARELAKE_RETURN_IF_ERROR(CheckPolicy(sql));
  CARELAKE_RETURN_IF_ERROR(Refresh());
  CARELAKE_ASSIGN_OR_RETURN(std::string expanded, delta::ExpandDeltaScans(sql, *conn_, *fs_));
  if (untrusted_) CARELAKE_RETURN_IF_ERROR(CheckReadOnly(expanded));
  return conn_->ExecuteScript(expanded, on_result);
}

}  // namespace carelake::query
