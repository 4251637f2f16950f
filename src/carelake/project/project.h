// Project: the declaration of one medallion pipeline, read from a project
// folder (`carelake.yaml` plus `models/*.sql`). Everything a run does is
// derived from it. The file format is written down in doc/project-format.md.
//
// LoadProject() validates the whole declaration before anything runs: every
// error names the file, the line, the key and what was expected, e.g.
//   carelake.yaml:14: silver[0].expectations[2].action: expected one of
//   warn, drop, quarantine, fail, fix; got 'ignore'
#ifndef CARELAKE_PROJECT_PROJECT_H_
#define CARELAKE_PROJECT_PROJECT_H_

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "carelake/base/result.h"

namespace carelake::project {

// Where a declaration came from, for messages: "carelake.yaml:14".
struct Origin {
  std::string file;  // relative to the project folder
  int line = 0;      // 1-based; 0 when unknown
  std::string ToString() const;
};

enum class SourceFormat { kCsv, kJson, kNdjson };
enum class Compression { kAuto, kNone, kGzip };
enum class Encoding { kUtf8, kLatin1 };

// A file source: every file matching `path` is ingested into the bronze
// table `bronze.<table>` exactly once.
struct Source {
  std::string name;
  SourceFormat format = SourceFormat::kJson;
  // Glob relative to the project folder (`*`, `?`, `[...]` within one path
  // segment; `**` matches any number of folders).
  std::string path;
  std::string table;                             // bronze table name; `name` when not declared
  Compression compression = Compression::kAuto;  // kAuto: gzip when the name ends in .gz
  // kLatin1 input is converted to UTF-8; kUtf8 input that is not valid UTF-8
  // is quarantined.
  Encoding encoding = Encoding::kUtf8;
  // CSV only.
  char delimiter = ',';
  char quote = '"';
  char escape = '"';
  bool header = true;
  // `freshness: {warn_after: 2h}`: the daemon raises source_stale when no
  // new data arrived for that long.
  std::optional<std::chrono::milliseconds> warn_after;
  Origin origin;
};

// How a database source reads one table incrementally: rows whose `cursor`
// column is at least the last run's maximum minus `lookback` (late
// transactions), or, with `by_key`, rows whose key column `cursor` is
// greater than the last run's maximum. Duplicates that the overlap brings
// are removed by key in silver.
struct IncrementalRead {
  std::string cursor;
  std::chrono::milliseconds lookback{0};
  bool by_key = false;
  Origin origin;
};

enum class OnSourceError { kContinue, kFail };

// Change data capture of a PostgreSQL source through logical replication
// (`pgoutput`): a publication of the source's tables and a replication slot,
// created by carelake when `create` (see doc/sources.md).
struct CdcOptions {
  std::string slot;         // carelake_<source> by default
  std::string publication;  // carelake_<source> by default
  bool create = true;
  // `continuous: true`: under `carelake serve` a consumer (serve/cdc_consumer.h)
  // polls the slot every `poll` and commits changes to bronze as they
  // arrive; a run's step takes the same per-source lock, so the two never
  // write the source's bronze tables at once.
  bool continuous = false;
  std::chrono::milliseconds poll{500};
};

// A database source (`connection:` in `sources:`): every table it selects
// lands in its own bronze table `bronze.<name>__<table>`, folder
// `<lake>/bronze/<name>/<table>` (a PostgreSQL table of a schema other than
// `public`: `<schema>__<table>`). See doc/sources.md.
struct DatabaseSource {
  std::string name;
  std::string connection;     // postgresql://… (libpq URI) or mysql://…
  std::string password_env;   // environment variable holding the password
  std::string password_file;  // or a file holding it (relative to the project folder)
  std::vector<std::string> schemas = {"public"};  // PostgreSQL only
  std::vector<std::string> include = {"*"};       // table names or globs
  std::vector<std::string> exclude;
  std::map<std::string, IncrementalRead> incremental;  // by table name
  int parallel = 4;                                    // tables read at once (PostgreSQL)
  int connect_timeout_s = 10;                          // seconds
  // A table that cannot be read fails its source; with kContinue the run
  // goes on with the other sources and tables.
  OnSourceError on_error = OnSourceError::kContinue;
  std::optional<std::chrono::milliseconds> warn_after;
  std::optional<CdcOptions> cdc;  // PostgreSQL only
  Origin origin;
  bool IsPostgres() const { return connection.rfind("postgres", 0) == 0; }
};

enum class ExpectationAction { kWarn, kDrop, kQuarantine, kFail, kFix };

// What a run does with an incremental table (silver, an incremental model, a
// dimension) whose definition changed since its rows were built: fail the
// step, asking for a full refresh (kFail), or rebuild it in full (kRebuild).
// A `full` model is always rebuilt.
enum class OnDefinitionChange { kFail, kRebuild };

// A data-quality rule: rows for which `check` (SQL over the silver row) is
// not true fail it. `kFix` replaces columns with `fix` expressions (SQL over
// the silver row and the bronze row, see doc/project-format.md) and flags
// the row instead.
struct Expectation {
  std::string name;
  std::string check;
  ExpectationAction action = ExpectationAction::kWarn;
  std::vector<std::pair<std::string, std::string>> fix;  // column -> SQL, in order
  std::string description;                               // optional, for reports
  Origin origin;
};

// One silver column: `type` (a DuckDB type name) from the bronze column
// `from`, or computed by `expr` (SQL over bronze columns).
struct SilverColumn {
  std::string name;
  std::string from;  // bronze column; defaults to the one whose snake_case is `name`
  std::string expr;  // instead of `from`
  std::string type = "VARCHAR";
  // strptime formats for DATE / TIMESTAMP / TIMESTAMPTZ, tried in order;
  // DuckDB's own parsing when empty.
  std::vector<std::string> formats;
  bool pii = false;
  Origin origin;
};

enum class Naming { kSnakeCase, kAsIs };
enum class OtherColumns { kDrop, kKeep };

// A silver table conformed from one bronze (or silver) table.
struct SilverTable {
  std::string name;
  std::string domain;  // lake folder: silver/<domain>/<name>; the project name by default
  std::string from;    // "bronze.<table>" or "silver.<table>"
  Naming naming = Naming::kSnakeCase;
  // Declared columns, in order; when empty every bronze column is kept as
  // VARCHAR under its (snake_case) name.
  std::vector<SilverColumn> columns;
  // With declared columns: whether the upstream columns no declared column
  // reads (also ones that appear later) are kept as VARCHAR under their
  // (snake_case) names.
  OtherColumns other_columns = OtherColumns::kDrop;
  // Values that mean NULL, compared after trimming.
  std::vector<std::string> null_tokens = {"", "NULL", "N/A"};
  bool trim = true;
  // De-duplication: one row per key; the row with the greatest `latest_by`
  // (SQL over silver columns) wins, ties and an empty `latest_by` go to the
  // row ingested last. Across runs a row replaces the stored one of its key
  // unless the stored one is later by `latest_by`.
  std::vector<std::string> key;
  std::string latest_by;
  // What happens to a row whose declared column holds a value that does not
  // convert to its type (implicit rule `<column>_type`): kQuarantine by
  // default; kFix is not allowed here.
  ExpectationAction on_type_error = ExpectationAction::kQuarantine;
  std::vector<Expectation> expectations;
  std::vector<std::string> partition_by;
  std::optional<OnDefinitionChange> on_definition_change;  // the project's when unset
  Origin origin;
};

// kScd1 / kScd2: a dimension kept from change rows (see Scd below);
// kDateDimension / kTimeDimension: generated calendar and time-of-day
// dimensions.
enum class Materialization { kFull, kIncremental, kScd1, kScd2, kDateDimension, kTimeDimension };
enum class IncrementalStrategy { kAppend, kMerge };

// A slowly changing dimension kept from change rows (the rows of `from`, or
// of the model's SQL): one row per change of a key, ordered by `sequence_by`.
// Type 1 keeps each live key's latest values; type 2 keeps every version
// with `valid_from`, `valid_to` (NULL while current), `is_current` and a
// surrogate key. The semantics (late and out-of-order changes, ties, deletes)
// are written down in doc/dimensions.md.
struct Scd {
  std::string from;         // "layer.name"; empty: the model's SQL gives the changes
  std::string sequence_by;  // SQL over a change row; orders the changes of a key
  // Columns whose changes make a new version (type 2); empty: every column
  // but the keys, the sequence and `track_except`.
  std::vector<std::string> track;
  std::vector<std::string> track_except;
  std::vector<std::string> except;  // change-row columns not kept in the dimension
  std::string delete_when;          // SQL over a change row: the key is deleted
  // NULL in a change row means "unchanged": the previous value is kept.
  bool ignore_null_updates = false;
  std::string surrogate_key;   // type 2: default <name without dim_>_sk
  bool unknown_member = true;  // type 2: a row with surrogate key -1 for unknown keys
};

// A fact's surrogate-key lookup: the version of `dimension` (a type 2
// dimension of the project) in effect at `as_of` for the natural key `on`.
struct Lookup {
  std::string dimension;                                // model name
  std::vector<std::pair<std::string, std::string>> on;  // fact column -> dimension key column
  std::string as_of;          // SQL over the fact row; empty: the current version
  std::string as;             // the output column; default: the dimension's surrogate key
  std::string surrogate_key;  // the dimension's (set by LoadProject)
  Origin origin;
};

// A gold SQL model. References to `layer.name` in its SQL make the
// dependency graph; in an incremental model `new_rows(layer.name)` reads
// only the rows added to that table since the model's last run.
struct Model {
  std::string name;
  std::string domain;
  std::string sql_file;  // relative to the project folder
  std::string sql;       // the file's text
  Materialization materialized = Materialization::kFull;
  IncrementalStrategy strategy = IncrementalStrategy::kAppend;
  std::vector<std::string> key;  // kMerge; the natural key of kScd1 / kScd2
  std::vector<std::string> partition_by;
  std::vector<Expectation> expectations;  // warn or fail only
  Scd scd;                                // kScd1 / kScd2
  std::vector<Lookup> lookups;            // kFull / kIncremental
  // kDateDimension: the first and last dates ("YYYY-MM-DD").
  std::string date_start;
  std::string date_end;
  bool IsScd() const {
    return materialized == Materialization::kScd1 || materialized == Materialization::kScd2;
  }
  bool IsGenerated() const {
    return materialized == Materialization::kDateDimension ||
           materialized == Materialization::kTimeDimension;
  }
  std::optional<OnDefinitionChange> on_definition_change;  // the project's when unset
  Origin origin;
};

// A job of `carelake serve` (the `jobs:` section): which steps run, and
// what starts them — a schedule, new files of sources, other jobs'
// success, or a person (`carelake jobs trigger`).
struct NewFilesTrigger {
  std::vector<std::string> sources;  // source names
  int64_t min_files = 1;             // fire when at least this many new files
  // A file counts once it has not been modified for this long.
  std::chrono::milliseconds settle{2000};
};

struct RetryPolicy {
  int64_t attempts = 1;                      // runs in all, the first included
  std::chrono::milliseconds backoff{10000};  // before the 2nd; doubled each time, with jitter
};

// Missed schedules while the daemon was down: run once at start (kLatest),
// or not at all (kNone).
enum class Catchup { kLatest, kNone };

struct Job {
  std::string name;
  std::vector<std::string> select;  // --select selectors; empty: every step
  std::string schedule;             // 5-field cron (schedule/cron.h); empty: none
  std::string timezone = "UTC";     // of the schedule: an IANA name
  std::optional<NewFilesTrigger> on_new_files;
  std::vector<std::string> after;  // jobs whose success starts this one
  RetryPolicy retries;
  std::optional<std::chrono::milliseconds> timeout;  // a run longer than this is cancelled
  Catchup catchup = Catchup::kLatest;
  Origin origin;
};

// Where `carelake serve` reports what goes wrong (the `alerts:` section).
// Text fields may hold `${NAME}` environment references
// (base/env_template.h), expanded only when an alert is sent.
// kReloadFailed: a changed carelake.yaml did not load (the daemon keeps the
// configuration it has).
enum class AlertEvent { kRunFailed, kRuleFailed, kSourceStale, kRecovered, kReloadFailed };

// POSTs the alert JSON (or `body_template` filled from it) to `url`.
struct WebhookTarget {
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body_template;  // empty: the alert JSON (doc/serve.md#alerts)
  std::string ca_file;        // extra CA certificates for https; empty: the system's
};

// Sends a plain-text mail through an SMTP server.
struct EmailTarget {
  std::string smtp;  // smtp://HOST[:PORT] (STARTTLS with `starttls`) or smtps://HOST[:PORT]
  bool starttls = false;
  std::string from;
  std::vector<std::string> to;
  std::string username_env;  // names of environment variables, not values
  std::string password_env;
  std::string ca_file;
};

// Runs a program with the alert JSON on its standard input.
struct CommandTarget {
  std::vector<std::string> argv;
};

struct AlertTarget {
  std::string name;
  std::vector<AlertEvent> on;  // default: every event
  std::variant<WebhookTarget, EmailTarget, CommandTarget> channel;
  // The same problem again within this time is not sent again.
  std::chrono::milliseconds repeat_every{3'600'000};
  Origin origin;

  bool Wants(AlertEvent event) const;
};

std::string ToString(AlertEvent event);

struct Project {
  std::string name;
  std::string dir;   // absolute project folder
  std::string lake;  // absolute lake folder (`lake:` relative to `dir`, default "lake")
  std::vector<Source> sources;
  std::vector<DatabaseSource> database_sources;
  std::vector<SilverTable> silver;
  std::vector<Model> models;
  OnDefinitionChange on_definition_change = OnDefinitionChange::kFail;
  std::vector<Job> jobs;
  std::vector<AlertTarget> alerts;

  const Source* FindSourceByTable(const std::string& table) const;
  const DatabaseSource* FindDatabaseSource(const std::string& name) const;
  const SilverTable* FindSilver(const std::string& name) const;
  const Model* FindModel(const std::string& name) const;
};

inline constexpr char kProjectFileName[] = "carelake.yaml";

// Reads and validates `<dir>/carelake.yaml` and the model files. `lake`
// overrides the project's lake folder when not empty.
Result<Project> LoadProject(const std::string& dir, const std::string& lake = "");

// "PatientAge" -> "patient_age", "ScheduledDate" -> "scheduled_date",
// "HTTPCode" -> "http_code", "Budget (R$)" -> "budget_r".
std::string SnakeCase(const std::string& name);

std::string ToString(ExpectationAction action);
std::string ToString(SourceFormat format);

}  // namespace carelake::project

#endif  // CARELAKE_PROJECT_PROJECT_H_
