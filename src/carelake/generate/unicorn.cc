#include "carelake/generate/unicorn.h"

#include <cstdio>
#include <string>

#include "carelake/base/civil_time.h"
#include "carelake/generate/rng.h"

namespace carelake::generate {

namespace {

// The DDL of seed 003, with MySQL 8's utf8mb4_0900_ai_ci collation left to
// the server's utf8mb4 default (MariaDB lacks it).
constexpr const char* kAccountDdl =
    "CREATE TABLE `account` (`accountId` varchar(12) NOT NULL, `member_id` varchar(25) DEFAULT "
    "NULL, `last_payment` decimal(10,0) DEFAULT NULL, `payment_due` varchar(20) DEFAULT NULL, "
    "`account_balance` varchar(20) DEFAULT NULL, PRIMARY KEY (`accountId`)) ENGINE=InnoDB "
    "DEFAULT CHARSET=utf8mb4";
constexpr const char* kAppointmentDdl =
    "CREATE TABLE `appointment` (`appId` varchar(12) NOT NULL, `physician` varchar(25) DEFAULT "
    "NULL, `app_date` varchar(10) DEFAULT NULL, `app_time` varchar(10) DEFAULT NULL, "
    "`scheduled_by` varchar(20) DEFAULT NULL, PRIMARY KEY (`appId`)) ENGINE=InnoDB DEFAULT "
    "CHARSET=utf8mb4";
constexpr const char* kEmployeeDdl =
    "CREATE TABLE `employee` (`employee_id` varchar(15) NOT NULL, `first_name` varchar(20) "
    "DEFAULT NULL, `last_name` varchar(20) DEFAULT NULL, `email` varchar(40) DEFAULT NULL, "
    "`phone_number` varchar(12) DEFAULT NULL, `title` varchar(20) DEFAULT NULL, PRIMARY KEY "
    "(`employee_id`)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4";
constexpr const char* kEncounterDdl =
    "CREATE TABLE `encounter` (`encounter_id` varchar(12) NOT NULL, `patient` varchar(25) "
    "DEFAULT NULL, `start_time` varchar(15) DEFAULT NULL, `status` varchar(15) DEFAULT NULL, "
    "PRIMARY KEY (`encounter_id`)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4";
constexpr const char* kInsuranceDdl =
    "CREATE TABLE `insurance` (`insid` varchar(30) NOT NULL, `plan` varchar(30) DEFAULT NULL, "
    "PRIMARY KEY (`insid`)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4";
constexpr const char* kPatientDdl =
    "CREATE TABLE `patient` (`person_id` varchar(12) NOT NULL, `first_name` varchar(20) DEFAULT "
    "NULL, `last_name` varchar(20) DEFAULT NULL, `email` varchar(45) DEFAULT NULL, `dob` "
    "varchar(10) DEFAULT NULL, `address` varchar(30) DEFAULT NULL, `zip` varchar(5) DEFAULT "
    "NULL, `insurance` varchar(20) DEFAULT NULL, PRIMARY KEY (`person_id`)) ENGINE=InnoDB "
    "DEFAULT CHARSET=utf8mb4";

constexpr const char* kFirst[] = {
    "James",  "Mary",      "John",    "Patricia", "Robert",  "Jennifer", "Michael", "Linda",
    "David",  "Elizabeth", "William", "Susan",    "Richard", "Jessica",  "Joseph",  "Sarah",
    "Thomas", "Karen",     "Carlos",  "Mei",      "Aisha",   "Dmitri",   "Priya",   "Kwame"};
constexpr const char* kLast[] = {
    "Smith",     "Johnson",  "Williams",  "Brown",  "Jones",    "Garcia", "Miller",   "Davis",
    "Rodriguez", "Martinez", "Hernandez", "Lopez",  "Gonzalez", "Wilson", "Anderson", "Thomas",
    "Taylor",    "Moore",    "Jackson",   "Martin", "Lee",      "Nguyen", "Okafor",   "Chen"};
constexpr const char* kStreets[] = {"Oak St",      "Maple Ave",   "Cedar Ln",
                                    "Pine Rd",     "Elm St",      "Unicorn Way",
                                    "Lakeview Dr", "Sunset Blvd", "Main St"};
constexpr const char* kPlans[kUnicornPlans] = {
    "Blue Shield PPO",    "Aetna HMO",   "Medicare Part B",       "Medicaid", "Cigna Open Access",
    "United Choice Plus", "Humana Gold", "Kaiser Permanente HMO", "Self-pay", "Tricare Select"};
constexpr struct {
  const char* title;
  int count;
} kStaff[] = {{"Physician", 6},     {"Nurse Practitioner", 3}, {"Registered Nurse", 5},
              {"Receptionist", 4},  {"Medical Assistant", 4},  {"Billing Specialist", 2},
              {"Office Manager", 1}};
constexpr const char* kStatuses[] = {"Completed", "No-show", "Cancelled", "In progress"};

template <typename T, size_t N>
const T& Pick(Rng& rng, const T (&values)[N]) {
  return values[rng.Between(0, static_cast<int64_t>(N) - 1)];
}

std::string Padded(const char* prefix, int64_t n, int width) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%s%0*lld", prefix, width, static_cast<long long>(n));
  return buf;
}

std::string Date(int64_t days) {  // M/D/YYYY
  const CivilDate d = CivilFromDays(days);
  return std::to_string(d.month) + "/" + std::to_string(d.day) + "/" + std::to_string(d.year);
}

std::string Time(int minute_of_day) {  // "10:08 AM"
  const int hour = minute_of_day / 60;
  char buf[16];
  std::snprintf(buf, sizeof(buf), "%d:%02d %s", (hour + 11) % 12 + 1, minute_of_day % 60,
                hour < 12 ? "AM" : "PM");
  return buf;
}

std::string Dollars(int64_t cents) {  // "$2419.20"
  char buf[32];
  std::snprintf(buf, sizeof(buf), "$%lld.%02lld", static_cast<long long>(cents / 100),
                static_cast<long long>(cents % 100));
  return buf;
}

std::string Lower(std::string s) {
  for (char& c : s) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return s;
}

SqlTable EmployeeTable(Rng& rng, std::vector<std::string>& clinicians,
                       std::vector<std::string>& receptionists) {
  SqlTable t{"",
             "employee",
             kEmployeeDdl,
             {"employee_id", "first_name", "last_name", "email", "phone_number", "title"},
             {}};
  for (const auto& staff : kStaff) {
    for (int i = 0; i < staff.count; ++i) {
      const std::string id = Padded("E", static_cast<int64_t>(t.rows.size()) + 1, 4);
      const std::string first = Pick(rng, kFirst), last = Pick(rng, kLast);
      const std::string title = staff.title;
      if (title == "Physician" || title == "Nurse Practitioner") clinicians.push_back(id);
      if (title == "Receptionist") receptionists.push_back(id);
      char phone[16];
      std::snprintf(phone, sizeof(phone), "555-%03d-%04d", static_cast<int>(rng.Between(100, 999)),
                    static_cast<int>(rng.Between(0, 9999)));
      t.rows.push_back({id, first, last, Lower(first + "." + last) + "@unicorn.example",
                        std::string(phone), title});
    }
  }
  return t;
}

SqlTable PatientTable(Rng& rng) {
  SqlTable t{
      "",
      "patient",
      kPatientDdl,
      {"person_id", "first_name", "last_name", "email", "dob", "address", "zip", "insurance"},
      {}};
  for (int i = 1; i <= kUnicornPatients; ++i) {
    const std::string first = Pick(rng, kFirst), last = Pick(rng, kLast);
    const std::optional<std::string> email =
        rng.Unit() < 0.06
            ? std::nullopt
            : std::optional<std::string>(Lower(first.substr(0, 1) + last) +
                                         std::to_string(rng.Between(1, 999)) + "@mail.example");
    const std::optional<std::string> address =
        rng.Unit() < 0.03 ? std::nullopt
                          : std::optional<std::string>(std::to_string(rng.Between(1, 9999)) + " " +
                                                       Pick(rng, kStreets));
    char zip[8];
    std::snprintf(zip, sizeof(zip), "%05d", static_cast<int>(rng.Between(1000, 99950)));
    t.rows.push_back({"PER" + std::to_string(i), first, last, email,
                      Date(DaysFromCivil(1935, 1, 1) + rng.Between(0, 87 * 365)), address,
                      std::string(zip), "INS" + std::to_string(rng.Between(1, kUnicornPlans))});
  }
  return t;
}

SqlTable AccountTable(Rng& rng) {
  SqlTable t{"",
             "account",
             kAccountDdl,
             {"accountId", "member_id", "last_payment", "payment_due", "account_balance"},
             {}};
  const int64_t first_due = DaysFromCivil(2022, 10, 1);
  for (int i = 1; i <= kUnicornPatients; ++i) {
    const bool settled = rng.Unit() < 0.3;
    t.rows.push_back(
        {Padded("ACC", i, 4), "PER" + std::to_string(i),
         rng.Unit() < 0.1 ? std::nullopt
                          : std::optional<std::string>(std::to_string(rng.Between(10, 900))),
         Date(first_due + rng.Between(0, 180)), Dollars(settled ? 0 : rng.Between(500, 450000))});
  }
  return t;
}

// Appointments and their encounters (ENC<n> is APPO<n>).
void VisitTables(Rng& rng, const std::vector<std::string>& clinicians,
                 const std::vector<std::string>& receptionists, SqlTable& appointments,
                 SqlTable& encounters) {
  const int64_t first_day = DaysFromCivil(2022, 1, 1);
  for (int i = 1; i <= kUnicornAppointments; ++i) {
    const int slot = 8 * 60 + static_cast<int>(rng.Between(0, 8 * 6 - 1)) * 10 +
                     static_cast<int>(rng.Between(0, 9));  // 8:00 AM to 3:59 PM
    appointments.rows.push_back({"APPO" + std::to_string(i),
                                 clinicians[rng.Between(0, clinicians.size() - 1)],
                                 Date(first_day + rng.Between(0, 364)), Time(slot),
                                 receptionists[rng.Between(0, receptionists.size() - 1)]});
    const double u = rng.Unit();
    const char* status = u < 0.8    ? kStatuses[0]
                         : u < 0.9  ? kStatuses[1]
                         : u < 0.97 ? kStatuses[2]
                                    : kStatuses[3];
    const bool seen = status == kStatuses[0] || status == kStatuses[3];
    encounters.rows.push_back(
        {Padded("ENC", i, 4), "PER" + std::to_string(rng.Between(1, kUnicornPatients)),
         seen ? std::optional<std::string>(Time(slot + static_cast<int>(rng.Between(0, 30))))
              : std::nullopt,
         std::string(status)});
  }
}

}  // namespace

std::vector<SqlTable> GenerateUnicorn(uint64_t seed) {
  Rng rng(seed ^ 0x0C0D1C0ULL);
  std::vector<std::string> clinicians, receptionists;
  SqlTable employees = EmployeeTable(rng, clinicians, receptionists);
  SqlTable insurance{"", "insurance", kInsuranceDdl, {"insid", "plan"}, {}};
  for (int i = 0; i < kUnicornPlans; ++i) {
    insurance.rows.push_back({"INS" + std::to_string(i + 1), kPlans[i]});
  }
  SqlTable patients = PatientTable(rng);
  SqlTable accounts = AccountTable(rng);
  SqlTable appointments{"",
                        "appointment",
                        kAppointmentDdl,
                        {"appId", "physician", "app_date", "app_time", "scheduled_by"},
                        {}};
  SqlTable encounters{
      "", "encounter", kEncounterDdl, {"encounter_id", "patient", "start_time", "status"}, {}};
  VisitTables(rng, clinicians, receptionists, appointments, encounters);
  return {std::move(accounts),   std::move(appointments), std::move(employees),
          std::move(encounters), std::move(insurance),    std::move(patients)};
}

}  // namespace carelake::generate
