// `carelake generate ...`: synthetic source data for the example systems.
#include <chrono>
#include <cstdlib>
#include <iomanip>
#include <memory>
#include <ostream>

#include "carelake/base/civil_time.h"
#include "carelake/cli/commands.h"
#include "carelake/generate/billing.h"
#include "carelake/generate/lumia.h"
#include "carelake/generate/medikal.h"
#include "carelake/generate/mha.h"
#include "carelake/generate/sql_writer.h"
#include "carelake/generate/unicorn.h"

namespace carelake::cli {

namespace {

int RunLumia(const generate::LumiaOptions& options, Io& io) {
  const auto start = std::chrono::steady_clock::now();
  auto progress = [&io](int64_t n) {
    if (io.out_is_terminal) io.err << "\r" << n << " records" << std::flush;
  };
  auto summary = generate::GenerateLumia(options, progress);
  if (io.out_is_terminal) io.err << "\r";
  if (!summary.ok()) {
    io.err << "Error: " << summary.status().message() << "\n";
    return summary.status().code() == StatusCode::kInvalidArgument ? kExitUsage : kExitFailed;
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  io.out << "wrote " << summary->records << " Lumia records in " << summary->files.size()
         << " files to " << options.out_dir << " (" << summary->bytes / 1024 << " KiB, "
         << static_cast<int64_t>(seconds * 1000) << " ms)\n";
  if (options.dirt > 0) {
    io.out << "dirt: " << summary->dirty_records << " records with a missing or bad field, "
           << "1 truncated document holding " << summary->truncated_records << " records\n";
  }
  return kExitOk;
}

int RunMha(const generate::MhaOptions& options, Io& io) {
  const auto start = std::chrono::steady_clock::now();
  auto summary = generate::GenerateMha(options);
  if (!summary.ok()) {
    io.err << "Error: " << summary.status().message() << "\n";
    return summary.status().code() == StatusCode::kInvalidArgument ? kExitUsage : kExitFailed;
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const generate::MhaSummary& s = *summary;
  io.out << "wrote MHA run " << s.run << ": " << s.files.size() << " files to " << options.out_dir
         << " (" << s.bytes / 1024 << " KiB, " << static_cast<int64_t>(seconds * 1000) << " ms)\n";
  io.out << "events: " << s.lines << " lines in " << options.batches << " batches (" << s.admissions
         << " admissions, " << s.discharges << " discharges, " << s.still_admitted
         << " still admitted), event ids EV" << std::setfill('0') << std::setw(9)
         << s.first_event_id << "..EV" << std::setw(9) << s.last_event_id << std::setfill(' ')
         << "\n";
  io.out << "dirt: " << s.missing_admission_time << " missing admission time, " << s.age_over_100
         << " age over 100, " << s.age_below_0 << " age below 0, " << s.duplicate_events
         << " duplicate events, " << s.future_timestamps << " future timestamps, "
         << s.discharge_before_admission << " discharges before admission\n";
  return kExitOk;
}

int RunBilling(const generate::BillingOptions& options, Io& io) {
  const auto start = std::chrono::steady_clock::now();
  auto summary = generate::GenerateBilling(options);
  if (!summary.ok()) {
    io.err << "Error: " << summary.status().message() << "\n";
    return summary.status().code() == StatusCode::kInvalidArgument ? kExitUsage : kExitFailed;
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const generate::BillingSummary& s = *summary;
  io.out << "wrote billing "
         << (s.drop == 0 ? std::string("first set") : "drop " + std::to_string(s.drop)) << ": "
         << s.files.size() << " files to " << options.out_dir << " (" << s.bytes / 1024 << " KiB, "
         << static_cast<int64_t>(seconds * 1000) << " ms)\n";
  io.out << "facts: " << s.fact_lines << " lines posted " << FormatDate(s.first_day) << ".."
         << FormatDate(s.last_day) << ", FactTablePK " << s.first_fact_pk << ".." << s.last_fact_pk
         << "\n";
  if (s.patients_moved > 0) {
    io.out << "re-delivered Dimpatient: " << s.patients_moved << " patients moved (City/State)\n";
  }
  io.out << "dirt: " << s.missing_key << " missing keys, " << s.negative_payment
         << " negative payments, " << s.unreconciled << " AR not reconciling, "
         << s.bad_service_date << " impossible service dates\n";
  return kExitOk;
}

struct MedikalArgs {
  generate::MedikalOptions options;
  std::string mysql_url;
  std::string postgres_url;
};

struct UnicornArgs {
  uint64_t seed = 42;
  std::string mysql_url;
};

std::string EnvOrEmpty(const char* name) {
  const char* value = std::getenv(name);
  return value == nullptr ? "" : value;
}

int64_t RowCount(const std::vector<generate::SqlTable>& tables) {
  int64_t rows = 0;
  for (const generate::SqlTable& table : tables) rows += static_cast<int64_t>(table.rows.size());
  return rows;
}

void PrintTables(const std::string& server, const std::string& database,
                 const std::vector<generate::SqlTable>& tables, std::ostream& out) {
  out << server << " " << database << ":";
  for (const generate::SqlTable& table : tables) {
    out << " " << table.QualifiedName() << " " << table.rows.size();
  }
  out << "\n";
}

int Fail(const Status& status, Io& io) {
  io.err << "Error: " << status.message() << "\n";
  return status.code() == StatusCode::kInvalidArgument ? kExitUsage : kExitFailed;
}

int RunMedikal(const MedikalArgs& args, Io& io) {
  const auto start = std::chrono::steady_clock::now();
  auto data = generate::GenerateMedikal(args.options);
  if (!data.ok()) return Fail(data.status(), io);
  auto mysql = generate::WriteMySqlDatabase(args.mysql_url, EnvOrEmpty("CARELAKE_MYSQL_PASSWORD"),
                                            "ikhospital", data->mysql);
  if (!mysql.ok()) return Fail(mysql.status(), io);
  auto postgres = generate::WritePostgresDatabase(
      args.postgres_url, EnvOrEmpty("CARELAKE_PG_PASSWORD"), "ikhospital", data->postgres);
  if (!postgres.ok()) return Fail(postgres.status(), io);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  io.out << "wrote MedIKal: " << RowCount(data->mysql) + RowCount(data->postgres) << " rows in "
         << static_cast<int64_t>(seconds * 1000) << " ms\n";
  PrintTables("mysql", *mysql, data->mysql, io.out);
  PrintTables("postgres", *postgres, data->postgres, io.out);
  return kExitOk;
}

int RunUnicorn(const UnicornArgs& args, Io& io) {
  const auto start = std::chrono::steady_clock::now();
  const std::vector<generate::SqlTable> tables = generate::GenerateUnicorn(args.seed);
  auto mysql = generate::WriteMySqlDatabase(args.mysql_url, EnvOrEmpty("CARELAKE_MYSQL_PASSWORD"),
                                            "unicornhealth", tables);
  if (!mysql.ok()) return Fail(mysql.status(), io);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  io.out << "wrote UnicornHealth: " << RowCount(tables) << " rows in "
         << static_cast<int64_t>(seconds * 1000) << " ms\n";
  PrintTables("mysql", *mysql, tables, io.out);
  return kExitOk;
}

// `generate medikal` and `generate unicorn`: operational databases on servers.
void RegisterDatabaseGenerators(CLI::App& cmd, Io& io, int& exit_code) {
  auto mysql_help = [](const std::string& database) {
    return "mysql://user@host:port/" + database +
           "[?socket=/path] (the password from the URL or $CARELAKE_MYSQL_PASSWORD; the "
           "database, default " +
           database + ", is created if missing)";
  };
  auto medikal = std::make_shared<MedikalArgs>();
  CLI::App* k = cmd.add_subcommand(
      "medikal",
      "MedIKal Care's ikhospital (seed 002): patient, events, doctors and shift on a MySQL/MariaDB "
      "server, pharmacy.medicine on a PostgreSQL server; a second run replaces the tables");
  k->add_option("--mysql", medikal->mysql_url, mysql_help("ikhospital"))->required();
  k->add_option("--postgres", medikal->postgres_url,
                "postgresql://user@host:port/ikhospital or a libpq key=value string (its "
                "password from the URL or $CARELAKE_PG_PASSWORD; the database, default "
                "ikhospital, is created if missing)")
      ->required();
  k->add_option("--patients", medikal->options.patients, "number of patients (4 events each)")
      ->capture_default_str();
  k->add_option("--seed", medikal->options.seed, "random seed: the same seed writes the same rows")
      ->capture_default_str();
  k->callback([medikal, &io, &exit_code] { exit_code = RunMedikal(*medikal, io); });

  auto unicorn = std::make_shared<UnicornArgs>();
  CLI::App* u = cmd.add_subcommand(
      "unicorn",
      "UnicornHealth's clinic database (seed 003) exactly as its DDL declares it: account, "
      "appointment, employee, encounter, insurance, patient (500 patients, 25 employees); a "
      "second run replaces the tables");
  u->add_option("--mysql", unicorn->mysql_url, mysql_help("unicornhealth"))->required();
  u->add_option("--seed", unicorn->seed, "random seed: the same seed writes the same rows")
      ->capture_default_str();
  u->callback([unicorn, &io, &exit_code] { exit_code = RunUnicorn(*unicorn, io); });
}

}  // namespace

void RegisterGenerateCommand(CLI::App& app, Io& io, int& exit_code) {
  CLI::App* cmd = app.add_subcommand("generate", "Write synthetic source data (no real patients)");
  cmd->require_subcommand(1);
  auto lumia = std::make_shared<generate::LumiaOptions>();
  CLI::App* l = cmd->add_subcommand(
      "lumia", "Lumia chatbot interactions as JSON array documents, shaped like seed 000's");
  l->add_option("--out", lumia->out_dir, "folder to write the documents into")->required();
  l->add_option("--records", lumia->records, "number of records")->capture_default_str();
  l->add_option("--seed", lumia->seed, "random seed: the same seed writes the same bytes")
      ->capture_default_str();
  l->add_option("--files", lumia->files, "number of documents to spread the records over")
      ->capture_default_str();
  l->add_option("--first-id", lumia->first_id, "the first record's id (ids count up from it)")
      ->capture_default_str();
  l->add_option("--dirt", lumia->dirt,
                "fraction of records with a missing or bad field; also writes one truncated "
                "document")
      ->capture_default_str();
  l->callback([lumia, &io, &exit_code] { exit_code = RunLumia(*lumia, io); });

  auto mha = std::make_shared<generate::MhaOptions>();
  CLI::App* m = cmd->add_subcommand(
      "mha",
      "MHA hospital admission/discharge events (NDJSON micro-batches), daily EHR extracts and "
      "department metadata, shaped like seed 004's; a second call into the same folder "
      "continues where the last one stopped");
  m->add_option("--out", mha->out_dir, "folder to write into")->required();
  m->add_option("--events", mha->events, "number of events (duplicates come on top)")
      ->capture_default_str();
  m->add_option("--seed", mha->seed, "random seed: the same seed writes the same bytes")
      ->capture_default_str();
  m->add_option("--batches", mha->batches, "number of event files (micro-batches)")
      ->capture_default_str();
  m->add_option("--dirt", mha->dirt,
                "fraction of events made dirty (missing admission time, age over 100 or below "
                "0, duplicate, future timestamp, discharge before admission)")
      ->capture_default_str();
  m->callback([mha, &io, &exit_code] { exit_code = RunMha(*mha, io); });

  auto billing = std::make_shared<generate::BillingOptions>();
  CLI::App* b = cmd->add_subcommand(
      "billing",
      "Healthcare billing CSVs (a fact table and eight dimensions) shaped like the Kaggle "
      "dataset of seed 001; a later call into the same folder writes the next daily fact drop "
      "(FactTable_YYYYMMDD.csv) and, every third drop, a changed Dimpatient_YYYYMMDD.csv");
  b->add_option("--out", billing->out_dir, "folder to write into")->required();
  b->add_option("--seed", billing->seed, "random seed: the same seed writes the same bytes")
      ->capture_default_str();
  b->add_option("--days", billing->days, "days of fact lines in the first call")
      ->capture_default_str();
  b->add_option("--patients", billing->patients, "number of patients (first call)")
      ->capture_default_str();
  b->add_option("--dirt", billing->dirt,
                "fraction of fact lines made dirty (missing key, negative payment, AR not "
                "reconciling, impossible service date)")
      ->capture_default_str();
  b->callback([billing, &io, &exit_code] { exit_code = RunBilling(*billing, io); });

  RegisterDatabaseGenerators(*cmd, io, exit_code);
}

}  // namespace carelake::cli
