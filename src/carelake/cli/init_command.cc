// `carelake init DIR`: a small, complete, working project to start from.
#include <algorithm>
#include <memory>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "carelake/base/file_system.h"
#include "carelake/cli/commands.h"
#include "carelake/project/project.h"

namespace carelake::cli {

namespace {

constexpr char kProjectYaml[] =
    R"yaml(# A carelake project: a clinic's appointment exports, from CSV files to a gold
# table. Every key is described in doc/project-format.md.
name: clinic

# Where the Delta tables are written, relative to this folder
# (`carelake run --lake DIR` overrides it).
lake: lake

# Bronze: every file matching `path` is ingested exactly once, every value
# kept as text, with lineage columns (_source_file, _source_position, ...).
sources:
  - name: appointments
    format: csv                     # json | ndjson | csv
    path: landing/*.csv
    csv:
      delimiter: ","
      header: true

# Silver: typed, cleaned, checked and de-duplicated rows.
silver:
  - name: appointments
    from: bronze.appointments
    null_tokens: ["", "NULL", "N/A"]  # these values become NULL
    key: [appointment_id]             # one row per appointment ...
    latest_by: scheduled_at           # ... the latest schedule wins
    on_type_error: quarantine         # a value that does not convert to its type
    columns:
      - {name: appointment_id, type: BIGINT}
      - {name: patient_id, type: BIGINT, pii: true}
      - {name: specialty, type: VARCHAR}
      - {name: scheduled_at, type: TIMESTAMPTZ, format: "%Y-%m-%d %H:%M:%S"}
      - {name: fee, type: "DECIMAL(10,2)"}
      - {name: status, type: VARCHAR}
    expectations:
      - name: has_patient
        description: an appointment without a patient cannot be billed
        check: "patient_id IS NOT NULL"
        action: quarantine            # set aside in silver.appointments__quarantine
      - name: fee_in_range
        check: "fee BETWEEN 0 AND 1000"
        action: warn                  # kept, and counted in `carelake dq report`

# Gold: SQL models over silver tables and other models. A models/*.sql file
# not listed here becomes a full model named after the file.
models:
  - name: appointments_by_specialty
    sql: models/appointments_by_specialty.sql
    materialized: full                # rebuilt when silver.appointments changes
)yaml";

// Synthetic rows (no real patients). Appointment 1009 has no patient and is
// quarantined; 1017's fee is out of range (a warning); 1007 is rescheduled,
// so silver keeps its later row.
constexpr char kAppointmentsCsv[] =
    "appointment_id,patient_id,specialty,scheduled_at,fee,status\n"
    "1001,5001,cardiology,2024-03-04 09:00:00,180.00,completed\n"
    "1002,5002,dermatology,2024-03-04 09:30:00,120.50,completed\n"
    "1003,5003,pediatrics,2024-03-04 10:15:00,95.00,no_show\n"
    "1004,5004,cardiology,2024-03-04 11:00:00,180.00,completed\n"
    "1005,5005,orthopedics,2024-03-04 14:30:00,150.00,cancelled\n"
    "1006,5001,cardiology,2024-03-05 08:45:00,180.00,completed\n"
    "1007,5006,dermatology,2024-03-05 09:00:00,120.50,scheduled\n"
    "1008,5007,pediatrics,2024-03-05 10:00:00,95.00,completed\n"
    "1009,,orthopedics,2024-03-05 11:30:00,150.00,completed\n"
    "1010,5008,general practice,2024-03-05 14:30:00,80.00,completed\n"
    "1011,5009,cardiology,2024-03-06 09:15:00,180.00,scheduled\n"
    "1012,5010,dermatology,2024-03-06 10:45:00,120.50,completed\n"
    "1013,5011,general practice,2024-03-06 13:00:00,80.00,completed\n"
    "1014,5012,pediatrics,2024-03-06 15:30:00,95.00,cancelled\n"
    "1015,5013,orthopedics,2024-03-07 08:30:00,150.00,scheduled\n"
    "1016,5014,general practice,2024-03-07 09:45:00,80.00,completed\n"
    "1017,5015,cardiology,2024-03-07 11:15:00,2400.00,completed\n"
    "1018,5016,dermatology,2024-03-07 16:00:00,120.50,scheduled\n"
    "1007,5006,dermatology,2024-03-08 09:00:00,120.50,scheduled\n"
    "1019,5017,pediatrics,2024-03-08 10:30:00,95.00,scheduled\n"
    "1020,5018,general practice,2024-03-08 12:00:00,80.00,cancelled\n";

constexpr char kModelSql[] =
    "-- Appointments and fees per specialty, rebuilt whenever silver.appointments\n"
    "-- changes.\n"
    "SELECT specialty, count(*) AS appointments, sum(fee) AS fees\n"
    "FROM silver.appointments\n"
    "GROUP BY specialty\n";

constexpr char kIgnoredLake[] = "lake/";

struct NewFile {
  std::string path;  // relative to the project folder
  std::string_view text;
  std::string_view what;
};

// `text` as one shell word for the commands we print.
std::string ShellWord(const std::string& text) {
  if (text.find_first_of(" \t'\"$`\\") == std::string::npos) return text;
  std::string out = "'";
  for (char c : text) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

bool IgnoresLake(const std::string& gitignore) {
  size_t start = 0;
  while (start <= gitignore.size()) {
    size_t end = gitignore.find('\n', start);
    if (end == std::string::npos) end = gitignore.size();
    std::string line = gitignore.substr(start, end - start);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line == "lake/" || line == "/lake/" || line == "lake" || line == "/lake") return true;
    start = end + 1;
  }
  return false;
}

int RunInit(const std::string& dir, Io& io) {
  FileSystem& fs = LocalFileSystem();
  const std::vector<NewFile> files = {
      {project::kProjectFileName, kProjectYaml, "the project: source, silver table, model"},
      {"landing/appointments-0001.csv", kAppointmentsCsv,
       "21 synthetic appointments (one without a patient)"},
      {"models/appointments_by_specialty.sql", kModelSql, "the gold model's query"},
  };
  Result<FileInfo> info = fs.Stat(dir);
  if (info.ok() && !info->is_directory) {
    io.err << "Error: '" << dir << "' exists and is not a folder\n";
    return kExitUsage;
  }
  // Check everything before writing anything: a refused init leaves no trace.
  for (const NewFile& file : files) {
    if (!fs.Exists(JoinPath(dir, file.path))) continue;
    if (file.path == project::kProjectFileName) {
      io.err << "Error: " << JoinPath(dir, file.path)
             << " already exists; carelake init does not overwrite a project\n";
    } else {
      io.err << "Error: " << JoinPath(dir, file.path)
             << " already exists; carelake init does not overwrite it (move it away first)\n";
    }
    return kExitUsage;
  }
  const std::string gitignore_path = JoinPath(dir, ".gitignore");
  std::string gitignore;
  if (fs.Exists(gitignore_path)) {
    Result<std::string> text = fs.ReadFile(gitignore_path);
    if (!text.ok()) {
      io.err << "Error: " << text.status().message() << "\n";
      return kExitFailed;
    }
    gitignore = std::move(*text);
  }

  auto fail = [&io](const Status& status) {
    io.err << "Error: " << status.message() << "\n";
    return kExitFailed;
  };
  // The project file last: until it exists, a retry after a failure is not
  // refused.
  for (auto it = files.rbegin(); it != files.rend(); ++it) {
    const std::string path = JoinPath(dir, it->path);
    const size_t slash = path.rfind('/');
    if (slash != std::string::npos && slash > 0) {
      if (Status s = fs.CreateDirectories(path.substr(0, slash)); !s.ok()) return fail(s);
    }
    if (Status s = fs.WriteFileIfAbsent(path, it->text); !s.ok()) return fail(s);
  }
  std::string gitignore_note;
  if (gitignore.empty()) {
    if (Status s = fs.WriteFileAtomic(gitignore_path, std::string(kIgnoredLake) + "\n"); !s.ok()) {
      return fail(s);
    }
    gitignore_note = "keeps the lake out of git";
  } else if (!IgnoresLake(gitignore)) {
    if (gitignore.back() != '\n') gitignore += '\n';
    if (Status s = fs.WriteFileAtomic(gitignore_path, gitignore + kIgnoredLake + "\n"); !s.ok()) {
      return fail(s);
    }
    gitignore_note = "lake/ added";
  }

  io.out << "created a carelake project in " << dir << ":\n";
  for (const NewFile& file : files) {
    io.out << "  " << file.path << std::string(40 - std::min<size_t>(file.path.size(), 38), ' ')
           << file.what << "\n";
  }
  if (!gitignore_note.empty()) {
    io.out << "  .gitignore" << std::string(30, ' ') << gitignore_note << "\n";
  }
  const std::string project = ShellWord(dir);
  io.out << "\nnext:\n"
         << "  carelake run --project " << project << "\n"
         << "  carelake sql --project " << project
         << " \"SELECT * FROM gold.appointments_by_specialty\"\n";
  return kExitOk;
}

}  // namespace

void RegisterInitCommand(CLI::App& app, Io& io, int& exit_code) {
  CLI::App* cmd = app.add_subcommand(
      "init", "Create a small working project (carelake.yaml, sample data, a model) in DIR");
  auto dir = std::make_shared<std::string>();
  cmd->add_option("DIR", *dir, "the project folder (created if needed)")->required();
  cmd->callback([dir, &io, &exit_code] { exit_code = RunInit(*dir, io); });
}

}  // namespace carelake::cli
